"""Entity resolution of suppliers named by different firms.

Firms name the same supplier differently ("Shin-Etsu Chemical Co., Ltd.", "SHINETSU CHEMICAL",
"信越化学工業株式会社"). Mentions are joined (union–find) when they share a Legal Entity
Identifier or a corporate number, or when their normalised names in the same country are equal
or fuzzy-similar: RapidFuzz ``token_sort_ratio`` of the words, or ``ratio`` of the names
without spaces ("Shin Etsu" = "ShinEtsu"), at least ``threshold``. Normalisation folds
Unicode (NFKC) and case, drops punctuation and legal forms (Co., Ltd., Inc., GmbH, 株式会社, …).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Entity", "Mention", "normalise", "resolve"]

_LEGAL_FORMS = frozenset(
    [
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "spa",
        "srl",
        "bv",
        "nv",
        "kk",
        "pte",
        "pvt",
        "oy",
        "ab",
        "as",
        "group",
        "holdings",
        "holding",
        "jsc",
        "pjsc",
        "ooo",
    ]
)
_JA_FORMS = ("株式会社", "有限会社", "合同会社", "(株)", "（株）", "有限公司", "股份有限公司")


def normalise(name: str) -> str:
    """A supplier name reduced for matching: NFKC (full-width forms folded), case folded, legal
    forms (Co., Ltd., 株式会社, …) and punctuation dropped.

    Parameters
    ----------
    name : str
        A supplier's name as a firm wrote it.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise("Shin-Etsu Chemical Co., Ltd."), normalise("ＳＨＩＮ－ＥＴＳＵ　CHEMICAL")
    ('shin etsu chemical', 'shin etsu chemical')
    >>> normalise("信越化学工業株式会社")
    '信越化学工業'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in _JA_FORMS:
        text = text.replace(unicodedata.normalize("NFKC", form).casefold(), " ")
    words = re.sub(r"[^\w]+", " ", text).split()
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)


@dataclass(frozen=True, slots=True)
class Mention:
    """One firm's naming of a supplier."""

    key: int
    name: str
    country: str
    lei: str | None = None
    corporate_number: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """Mentions resolved to one supplier; ``id`` is stable while its identifiers are."""

    id: str
    name: str
    country: str
    mentions: tuple[int, ...]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def resolve(mentions: Sequence[Mention], threshold: float = 90.0) -> list[Entity]:
    """Group mentions of the same supplier: by identifier (LEI, corporate number), by the same
    normalised name in the same country, and by names in one country at least ``threshold``
    alike (RapidFuzz token-sort and compact ratios).

    Parameters
    ----------
    mentions : sequence of Mention
        Every firm's naming of a supplier.
    threshold : float
        Similarity (0-100) from which two names are one supplier.

    Returns
    -------
    list of Entity
        Each with the keys of its mentions; its id is stable while its identifiers are.

    Examples
    --------
    >>> ms = [Mention(0, "Acme Metals Co., Ltd.", "CHN"), Mention(1, "ACME METALS", "CHN"),
    ...       Mention(2, "Acme Metals", "VNM")]
    >>> [e.mentions for e in resolve(ms)]
    [(0, 1), (2,)]
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    parent = list(range(len(mentions)))

    def union(a: int, b: int) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    names = [normalise(m.name) for m in mentions]
    first: dict[tuple[str, str], int] = {}
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        for key in (
            ("lei", m.lei),
            ("corp", m.corporate_number),
            ("name", f"{m.country}|{names[i]}"),
        ):
            if key[1]:
                j = first.setdefault((key[0], key[1]), i)
                union(i, j)
        by_country[m.country].append(i)
    for members in by_country.values():
        distinct = sorted({names[i] for i in members})
        if len(distinct) < 2:
            continue
        compact = [n.replace(" ", "") for n in distinct]
        scores = np.maximum(
            process.cdist(distinct, distinct, scorer=fuzz.token_sort_ratio, workers=1),
            process.cdist(compact, compact, scorer=fuzz.ratio, workers=1),
        )
        rep = {n: next(i for i in members if names[i] == n) for n in distinct}
        for a, b in zip(*np.nonzero(np.triu(scores >= threshold, 1)), strict=True):
            union(rep[distinct[a]], rep[distinct[b]])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        groups[_find(parent, i)].append(i)
    out = []
    for members in groups.values():
        ms = [mentions[i] for i in members]
        counts = Counter(m.name for m in ms)
        name = min(counts, key=lambda n: (-counts[n], len(n), n))
        country = Counter(m.country for m in ms).most_common(1)[0][0]
        lei = min((m.lei for m in ms if m.lei), default=None)
        corp = min((m.corporate_number for m in ms if m.corporate_number), default=None)
        common = Counter(names[i] for i in members)
        usual = min(common, key=lambda n: (-common[n], n))
        ident = f"lei:{lei}" if lei else f"jcn:{corp}" if corp else f"name:{country}:{usual}"
        out.append(Entity(ident, name, country, tuple(sorted(m.key for m in ms))))
    return sorted(out, key=lambda e: e.mentions)
