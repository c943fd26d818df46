"""The Harmonized System: HS6 codes, their descriptions and conversion between HS revisions.

HS revisions are named by their year: ``HS1992`` (BACI's "HS92", Comtrade's H0), ``HS1996``
(H1), ``HS2002`` (H2), ``HS2007`` (H3), ``HS2012`` (H4), ``HS2017`` (H5) and ``HS2022`` (H6).

Descriptions come from a nomenclature file the user supplies (CSV with columns ``hscode`` and
``description``, as published by the datasets/harmonized-system project). Revision conversion
reads the UN Comtrade correlation tables in their consolidated form (``code.after``,
``code.before``, ``Relationship``, ``adjustment`` such as ``"2022 to 2017"``) and chains adjacent
revisions. Conversions that split a code (``1:n``, ``n:n``) are returned as several targets:
value weights are not part of the correlation tables, and econsec does not invent them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_

__all__ = [
    "HS_REVISIONS",
    "Concordance",
    "Nomenclature",
    "hs_revision",
    "load_concordance",
    "load_nomenclature",
    "normalise_hs6",
]

HS_REVISIONS: tuple[str, ...] = (
    "HS1992",
    "HS1996",
    "HS2002",
    "HS2007",
    "HS2012",
    "HS2017",
    "HS2022",
)
_ALIASES = {
    "H0": "HS1992",
    "HS92": "HS1992",
    "H1": "HS1996",
    "HS96": "HS1996",
    "H2": "HS2002",
    "HS02": "HS2002",
    "H3": "HS2007",
    "HS07": "HS2007",
    "H4": "HS2012",
    "HS12": "HS2012",
    "H5": "HS2017",
    "HS17": "HS2017",
    "H6": "HS2022",
    "HS22": "HS2022",
}
_HS6 = re.compile(r"^\d{6}$")


def hs_revision(name: str) -> str:
    """Canonical name of an HS revision.

    >>> hs_revision("HS17"), hs_revision("H6"), hs_revision("hs2022")
    ('HS2017', 'HS2022', 'HS2022')
    """
    text = name.strip().upper()
    if text in HS_REVISIONS:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    raise NotFoundError(f"unknown HS revision {name!r} (expected one of {', '.join(HS_REVISIONS)})")


def normalise_hs6(code: str | int) -> str:
    """A six-digit HS code as text, restoring a leading zero lost by spreadsheets or CSV readers.

    >>> normalise_hs6(10121), normalise_hs6("850511"), normalise_hs6(" 81129 ")
    ('010121', '850511', '081129')
    """
    text = str(code).strip()
    if text.isdigit() and len(text) == 5:
        text = "0" + text
    if not _HS6.match(text):
        raise InputError(
            "HS code {code!r} is not six digits",
            values={"code": code},
            expected=N_("a six-digit HS code such as 850511"),
        )
    return text


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """HS codes (2, 4 and 6 digits) and their descriptions, read from a file."""

    source: str
    descriptions: dict[str, str]

    def describe(self, code: str) -> str:
        """The description of ``code``; :class:`NotFoundError` when the file does not have it."""
        try:
            return self.descriptions[code]
        except KeyError:
            raise NotFoundError(f"HS code {code!r} is not in {self.source}") from None

    def hs6_codes(self) -> tuple[str, ...]:
        """All six-digit codes, sorted."""
        return tuple(sorted(c for c in self.descriptions if len(c) == 6))


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8")


def load_nomenclature(path: Path) -> Nomenclature:
    """Read a nomenclature CSV with columns ``hscode`` and ``description`` (gzip allowed)."""
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = {"hscode", "description"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(
                "missing column(s) {v1}",
                values={"v1": ", ".join(sorted(missing))},
                file=str(path),
                line=1,
                expected=N_("columns hscode,description"),
            )
        descriptions = {row["hscode"].strip(): row["description"].strip() for row in reader}
    return Nomenclature(source=str(path), descriptions=descriptions)


@dataclass(frozen=True, slots=True)
class Concordance:
    """Correspondences between adjacent HS revisions, chained on demand.

    ``links[(older, newer)]`` maps each code of the newer revision to the older codes it
    corresponds to.
    """

    links: dict[tuple[str, str], dict[str, frozenset[str]]]
    inverse: dict[tuple[str, str], dict[str, frozenset[str]]]

    def convert(self, code: str, source: str, target: str) -> frozenset[str]:
        """The codes of revision ``target`` that correspond to ``code`` of revision ``source``.

        Several codes come back when the correlation tables split or merge the product.
        """
        src, dst = hs_revision(source), hs_revision(target)
        i, j = HS_REVISIONS.index(src), HS_REVISIONS.index(dst)
        codes = frozenset({normalise_hs6(code)})
        step = 1 if j > i else -1
        for k in range(i, j, step):
            a, b = HS_REVISIONS[k], HS_REVISIONS[k + step]
            codes = frozenset().union(*(self._step(c, a, b) for c in codes))
        return codes

    def _step(self, code: str, a: str, b: str) -> frozenset[str]:
        older, newer = (a, b) if HS_REVISIONS.index(a) < HS_REVISIONS.index(b) else (b, a)
        table = (self.links if a == newer else self.inverse).get((older, newer))
        if table is None:
            raise NotFoundError(f"no correspondence between {older} and {newer} in the concordance")
        found = table.get(code)
        if not found:
            raise NotFoundError(f"HS code {code} of {a} has no correspondence in {b}")
        return found


def load_concordance(path: Path) -> Concordance:
    """Read the consolidated UN Comtrade correlation tables (``code.after``, ``code.before``,
    ``Relationship``, ``adjustment``); codes that lost their leading zero are restored."""
    links: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        needed = {"code.after", "code.before", "adjustment"}
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise InputError(
                "missing column(s) {v1}",
                values={"v1": ", ".join(sorted(missing))},
                file=str(path),
                line=1,
                expected=N_("columns code.after,code.before,Relationship,adjustment"),
            )
        for line, row in enumerate(reader, start=2):
            match = re.fullmatch(r"(\d{4}) to (\d{4})", row["adjustment"].strip())
            if match is None:
                raise InputError(
                    "bad adjustment",
                    file=str(path),
                    line=line,
                    column="adjustment",
                    expected=N_("'YYYY to YYYY'"),
                )
            newer, older = f"HS{match[1]}", f"HS{match[2]}"
            if newer not in HS_REVISIONS or older not in HS_REVISIONS:
                continue  # HS1988 and SITC-era pairs are outside HS6 trade data
            try:
                after, before = normalise_hs6(row["code.after"]), normalise_hs6(row["code.before"])
            except InputError as exc:
                raise InputError(
                    exc.problem, file=str(path), line=line, expected=exc.expected
                ) from None
            links[(older, newer)][after].add(before)
    inverse: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for pair, table in links.items():
        for after, befores in table.items():
            for before in befores:
                inverse[pair][before].add(after)

    def freeze(
        t: dict[tuple[str, str], dict[str, set[str]]],
    ) -> dict[tuple[str, str], dict[str, frozenset[str]]]:
        return {pair: {k: frozenset(v) for k, v in table.items()} for pair, table in t.items()}

    return Concordance(links=freeze(links), inverse=freeze(inverse))
