"""Screen results rolled up to critical product groups, and compared between years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from econsec.reference.catalogue import Catalogue, groups_on

__all__ = ["Change", "GroupSummary", "compare", "rollup"]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One critical product group for one importer: coverage, flags and import value."""

    importer: str
    group: str
    name: str
    products: int
    traded: int
    flagged: tuple[str, ...]
    imports_usd: float
    flagged_imports_usd: float


def rollup(
    rows: Iterable[Mapping[str, Any]],
    list_id: str,
    date: dt.date,
    catalogue: Catalogue | None = None,
) -> tuple[GroupSummary, ...]:
    """Summarise screen rows by the groups of a critical product list in force on ``date``.

    A product in several groups counts in each. Groups with no HS goods code (e.g. cloud
    programs) appear with zero products.

    Parameters
    ----------
    rows : iterable of mappings
        Screen rows (``importer``, ``product``, ``imports_usd``, ``flagged``).
    list_id : str
        A critical product list: ``japan``, ``eu_crma`` or ``us_critical_minerals``.
    date : datetime.date
        The day whose list applies.
    catalogue : Catalogue, optional
        The catalogue (default: the packaged one).

    Returns
    -------
    tuple of GroupSummary
        One per importer and group.

    Raises
    ------
    NotFoundError
        For an unknown list.

    Examples
    --------
    >>> import datetime as dt
    >>> rows = [{"importer": "JPN", "product": "850511", "imports_usd": 5.0, "flagged": True}]
    >>> magnets = next(g for g in rollup(rows, "japan", dt.date(2024, 6, 1))
    ...                if g.group == "japan/permanent_magnets")
    >>> magnets.traded, magnets.flagged, magnets.flagged_imports_usd
    (1, ('850511',), 5.0)
    """
    by_importer: dict[str, dict[str, Mapping[str, Any]]] = {}
    for r in rows:
        by_importer.setdefault(str(r["importer"]), {})[str(r["product"])] = r
    out = []
    for importer, products in sorted(by_importer.items()):
        for g in groups_on(list_id, date, catalogue):
            codes = g.hs6_on(date)
            hits = [products[c] for c in sorted(codes) if c in products]
            flagged = [h for h in hits if h["flagged"]]
            out.append(
                GroupSummary(
                    importer=importer,
                    group=g.key,
                    name=g.name_en,
                    products=len(codes),
                    traded=len(hits),
                    flagged=tuple(str(h["product"]) for h in flagged),
                    imports_usd=float(sum(h["imports_usd"] for h in hits)),
                    flagged_imports_usd=float(sum(h["imports_usd"] for h in flagged)),
                )
            )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Change:
    """How the flags of one importer changed between two screens."""

    importer: str
    newly_flagged: tuple[str, ...]
    no_longer_flagged: tuple[str, ...]
    still_flagged: tuple[str, ...]


def compare(
    before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> tuple[Change, ...]:
    """Newly flagged, no longer flagged and still flagged products, per importer: the churn
    of single-year flags that CEPII warns about.

    Parameters
    ----------
    before, after : iterable of mappings
        Screen rows (``importer``, ``product``, ``flagged``) of two years.

    Returns
    -------
    tuple of Change
        One per importer.

    Examples
    --------
    >>> old = [{"importer": "JPN", "product": p, "flagged": True} for p in ("a", "b")]
    >>> new = [{"importer": "JPN", "product": p, "flagged": True} for p in ("a", "c")]
    >>> (c,) = compare(old, new)
    >>> c.newly_flagged, c.no_longer_flagged, c.still_flagged
    (('c',), ('b',), ('a',))
    """

    def flags(rows: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(str(r["importer"]), set())
            if r["flagged"]:
                out[str(r["importer"])].add(str(r["product"]))
        return out

    a, b = flags(before), flags(after)
    return tuple(
        Change(
            importer,
            tuple(sorted(b.get(importer, set()) - a.get(importer, set()))),
            tuple(sorted(a.get(importer, set()) - b.get(importer, set()))),
            tuple(sorted(a.get(importer, set()) & b.get(importer, set()))),
        )
        for importer in sorted(set(a) | set(b))
    )
