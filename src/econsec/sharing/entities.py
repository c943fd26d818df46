"""Entity resolution of suppliers named by different firms, in a way that one firm cannot
steer.

Firms name the same supplier differently ("Shin-Etsu Chemical Co., Ltd.", "SHINETSU CHEMICAL",
"信越化学工業株式会社"). Normalisation folds Unicode (NFKC) and case, drops punctuation and legal
forms (Co., Ltd., Inc., GmbH, 株式会社, …). Then:

* **names**: mentions in the same country with the same normalised name are one supplier.
  Names that are alike — RapidFuzz ``token_sort_ratio`` of the words, or ``ratio`` of the names
  without spaces ("Shin Etsu" = "ShinEtsu"), at least ``threshold`` — join a cluster only by
  being alike to its *leader* (the name most firms use), never through a chain of
  neighbours, and only within a block (same country, same first three letters); names whose
  numbers or directions differ ("No. 1 Plant" and "No. 2 Plant", "Northern" and "Southern",
  "II" and "III") stay apart however alike the rest;
* **identifiers**: a Legal Entity Identifier or corporate number joins clusters only when at
  least two firms give it — one firm's identifier cannot merge suppliers that other firms keep
  apart;
* **country**: each firm votes once (its most frequent country for the entity), so a flood of
  one firm's records cannot move a supplier to another country.
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
    """One firm's naming of a supplier (``firm`` empty: a firm of its own)."""

    key: int
    name: str
    country: str
    lei: str | None = None
    corporate_number: str | None = None
    firm: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """Mentions resolved to one supplier; ``id`` is stable while its identifiers are."""

    id: str
    name: str
    country: str
    mentions: tuple[int, ...]


_ORDINALS = frozenset(
    (
        "i",
        "ii",
        "iii",
        "iv",
        "v",
        "vi",
        "vii",
        "viii",
        "ix",
        "x",
        "xi",
        "xii",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "upper",
        "lower",
        "new",
        "old",
    )
)


def _marks(name: str) -> frozenset[str]:
    """The words of a normalised name that tell otherwise alike suppliers apart: numbers,
    roman numerals, ordinals and directions.

    >>> sorted(_marks("acme metals no 1 plant")), sorted(_marks("china northern rare earth"))
    (['1'], ['northern'])
    """
    return frozenset(w for w in name.split() if any(c.isdigit() for c in w) or w in _ORDINALS)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _clusters(names: list[str], firms: Counter[str], threshold: float) -> dict[str, str]:
    """Each distinct name of one country → the leader of its cluster (leader clustering within
    blocks of the first three letters, most used names lead)."""
    from rapidfuzz import fuzz, process

    blocks: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names, key=lambda n: (-firms[n], n)):
        blocks[name.replace(" ", "")[:3]].append(name)
    leader: dict[str, str] = {}
    for block in blocks.values():
        leaders: list[str] = []
        compact: list[str] = []
        for name in block:
            chosen = None
            if leaders:
                words = process.extract(name, leaders, scorer=fuzz.token_sort_ratio,
                                        score_cutoff=threshold, limit=None)  # fmt: skip
                close = process.extract(name.replace(" ", ""), compact, scorer=fuzz.ratio,
                                        score_cutoff=threshold, limit=None)  # fmt: skip
                found = sorted({i for _, _, i in words} | {i for _, _, i in close})
                marks = _marks(name)
                chosen = next((leaders[i] for i in found if _marks(leaders[i]) == marks), None)
            if chosen is None:
                leaders.append(name)
                compact.append(name.replace(" ", ""))
                chosen = name
            leader[name] = chosen
    return leader


def resolve(mentions: Sequence[Mention], threshold: float = 90.0) -> list[Entity]:
    """Group mentions of the same supplier (see the module docstring for the rules).

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

    One firm's identifier does not merge suppliers that others name apart:

    >>> lei = "5493006W3QUS5LMH6R84"
    >>> ms = [Mention(0, "Acme Metals", "CHN", firm="a"), Mention(1, "Beta Mining", "CHN", firm="b"),
    ...       Mention(2, "Acme Metals", "CHN", lei, firm="x"),
    ...       Mention(3, "Beta Mining", "CHN", lei, firm="x")]
    >>> [e.mentions for e in resolve(ms)]
    [(0, 2), (1, 3)]
    """
    firm_of = [m.firm or f"\0{i}" for i, m in enumerate(mentions)]
    names = [normalise(m.name) for m in mentions]
    parent = list(range(len(mentions)))

    def union(a: int, b: int) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_country: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for i, m in enumerate(mentions):
        by_country[m.country][names[i]].add(firm_of[i])
    first: dict[tuple[str, str], int] = {}
    for country, named in by_country.items():
        leader = _clusters(list(named), Counter({n: len(f) for n, f in named.items()}),
                           threshold)  # fmt: skip
        for i, m in enumerate(mentions):
            if m.country == country:
                union(i, first.setdefault((country, leader[names[i]]), i))
    claims: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i, m in enumerate(mentions):
        for kind, value in (("lei", m.lei), ("jcn", m.corporate_number)):
            if value:
                claims[(kind, value)].add(firm_of[i])
    trusted = {key for key, firms in claims.items() if len(firms) >= 2}
    anchor: dict[tuple[str, str], int] = {}
    for i, m in enumerate(mentions):
        for key in (("lei", m.lei), ("jcn", m.corporate_number)):
            if key[1] and (key[0], key[1]) in trusted:
                union(i, anchor.setdefault((key[0], str(key[1])), i))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        groups[_find(parent, i)].append(i)
    out = []
    for members in groups.values():
        ms = [mentions[i] for i in members]
        counts = Counter(m.name for m in ms)
        name = min(counts, key=lambda n: (-counts[n], len(n), n))
        votes: Counter[str] = Counter()
        for firm in {firm_of[i] for i in members}:
            own = Counter(mentions[i].country for i in members if firm_of[i] == firm)
            votes[min(own, key=lambda c: (-own[c], c))] += 1
        country = min(votes, key=lambda c: (-votes[c], c))
        keys = sorted({(k, v) for i in members for k, v in (("lei", mentions[i].lei),
                       ("jcn", mentions[i].corporate_number)) if v and (k, v) in trusted})  # fmt: skip
        common = Counter(names[i] for i in members)
        usual = min(common, key=lambda n: (-common[n], n))
        ident = f"{keys[0][0]}:{keys[0][1]}" if keys else f"name:{country}:{usual}"
        out.append(Entity(ident, name, country, tuple(sorted(m.key for m in ms))))
    return sorted(out, key=lambda e: e.mentions)
