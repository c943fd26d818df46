"""The critical product catalogue: government lists of critical products mapped to HS6 codes.

Lists (``japan``, ``eu_crma``, ``us_critical_minerals``) hold groups; a group and each of its
HS6 mappings apply from a date (``from``, when the designation took legal effect; ``decided``,
when it was decided, is kept beside it) and, when removed, until a date (``until``, exclusive);
each group's ``hs_note`` and ``hs_source`` give the evidence of its HS6 mapping. Queries answer
"what was on list L on date D" (:func:`groups_on`) and "which groups contain HS6 code K"
(:func:`groups_containing`). Products are selected on the command line as
``critical:japan`` or ``critical:japan/permanent_magnets`` (:func:`select_products`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from econsec.errors import ConfigError, NotFoundError
from econsec.reference.hs import normalise_hs6

__all__ = [
    "Catalogue",
    "Group",
    "Mapping",
    "groups_containing",
    "groups_on",
    "load_catalogue",
    "select_products",
]

_FAR_FUTURE = dt.date(9999, 12, 31)
HS_SOURCE = "HS 2022 nomenclature (WCO), subheading texts"  # a mapping's evidence by default


@dataclass(frozen=True, slots=True)
class Mapping:
    """One HS6 code assigned to a group over a period, with its source."""

    hs6: str
    start: dt.date
    end: dt.date
    source: str
    note: str = ""

    def in_force(self, date: dt.date) -> bool:
        return self.start <= date < self.end


@dataclass(frozen=True, slots=True)
class Group:
    """A critical product group of a list, e.g. Japan's permanent magnets."""

    list_id: str
    id: str
    name_en: str
    name_ja: str
    start: dt.date
    end: dt.date
    source: str
    mappings: tuple[Mapping, ...]
    note: str = ""
    #: when the designation was decided or adopted (``start`` is when it took legal effect)
    decided: dt.date | None = None
    #: the evidence of the HS6 mapping: why these codes, and where they are broader or shared
    hs_note: str = ""
    hs_source: str = ""

    @property
    def key(self) -> str:
        """``list/group``, the form used in product selectors."""
        return f"{self.list_id}/{self.id}"

    def in_force(self, date: dt.date) -> bool:
        return self.start <= date < self.end

    def hs6_on(self, date: dt.date) -> frozenset[str]:
        """The HS6 codes of the group on ``date`` (empty when the group is not in force)."""
        if not self.in_force(date):
            return frozenset()
        return frozenset(m.hs6 for m in self.mappings if m.in_force(date))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All lists, by id, with their titles and sources."""

    lists: dict[str, tuple[Group, ...]]
    titles: dict[str, str]
    sources: dict[str, str]


def _date(value: Any, where: str) -> dt.date:
    if value is None:
        return _FAR_FUTURE
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def _parse(raw: Any, origin: str) -> Catalogue:
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: expected a mapping of list id to list")
    lists: dict[str, tuple[Group, ...]] = {}
    titles: dict[str, str] = {}
    sources: dict[str, str] = {}
    for list_id, body in raw.items():
        where = f"{origin}: list {list_id!r}"
        if not isinstance(body, dict) or not isinstance(body.get("groups"), list):
            raise ConfigError(f"{where}: needs a 'groups' list")
        titles[list_id] = str(body.get("title", list_id))
        sources[list_id] = str(body.get("source", origin))
        groups = []
        for g in body["groups"]:
            if not isinstance(g, dict) or "id" not in g:
                raise ConfigError(f"{where}: every group needs an 'id'")
            gwhere = f"{where}, group {g['id']!r}"
            if "source" not in g or "from" not in g:
                raise ConfigError(f"{gwhere}: needs 'source' and 'from' (the date it applies from)")
            start, end = _date(g["from"], gwhere), _date(g.get("until"), gwhere)
            mappings = [
                Mapping(_hs6(c, gwhere), start, end, str(g["source"])) for c in g.get("hs6", [])
            ]
            for change in g.get("scope_changes", []):
                for c in change.get("hs6", []):
                    mappings.append(
                        Mapping(
                            _hs6(c, gwhere),
                            _date(change.get("from"), gwhere),
                            _date(change.get("until"), gwhere),
                            str(change.get("source", g["source"])),
                            str(change.get("note", "")),
                        )
                    )
            name = g.get("name") or {}
            groups.append(
                Group(
                    list_id=str(list_id),
                    id=str(g["id"]),
                    name_en=str(name.get("en", g["id"])),
                    name_ja=str(name.get("ja", name.get("en", g["id"]))),
                    start=start,
                    end=end,
                    source=str(g["source"]),
                    mappings=tuple(mappings),
                    note=str(g.get("note", "")),
                    decided=_date(g["decided"], gwhere) if g.get("decided") else None,
                    hs_note=str(g.get("hs_note", "")),
                    hs_source=str(g.get("hs_source", HS_SOURCE)),
                )
            )
        lists[str(list_id)] = tuple(groups)
    return Catalogue(lists=lists, titles=titles, sources=sources)


def _hs6(code: Any, where: str) -> str:
    try:
        return normalise_hs6(str(code))
    except Exception:
        raise ConfigError(f"{where}: {code!r} is not a six-digit HS code") from None


@cache
def _builtin() -> Catalogue:
    text = resources.files("econsec.reference").joinpath("catalogue.yaml").read_text("utf-8")
    return _parse(yaml.safe_load(text), "econsec/reference/catalogue.yaml")


def load_catalogue(extra: Path | None = None) -> Catalogue:
    """The built-in catalogue, with lists from the YAML file ``extra`` replacing or adding lists."""
    if extra is None:
        return _builtin()
    try:
        raw = yaml.safe_load(extra.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{extra}: cannot read catalogue: {exc}") from None
    user = _parse(raw, str(extra))
    base = _builtin()
    return Catalogue(
        lists={**base.lists, **user.lists},
        titles={**base.titles, **user.titles},
        sources={**base.sources, **user.sources},
    )


def _list(catalogue: Catalogue, list_id: str) -> tuple[Group, ...]:
    try:
        return catalogue.lists[list_id]
    except KeyError:
        raise NotFoundError(
            f"no critical product list {list_id!r} (lists: {', '.join(sorted(catalogue.lists))})"
        ) from None


def groups_on(list_id: str, date: dt.date, catalogue: Catalogue | None = None) -> tuple[Group, ...]:
    """The groups of list ``list_id`` in force on ``date``.

    >>> import datetime as dt
    >>> len(groups_on("japan", dt.date(2023, 6, 1))), len(groups_on("japan", dt.date(2026, 1, 1)))
    (11, 16)
    """
    return tuple(g for g in _list(catalogue or _builtin(), list_id) if g.in_force(date))


def groups_containing(
    hs6: str, date: dt.date | None = None, catalogue: Catalogue | None = None
) -> tuple[Group, ...]:
    """Every group of every list whose mapping contains ``hs6`` (on ``date`` when given).

    >>> [g.key for g in groups_containing("850511")]
    ['japan/permanent_magnets', 'eu_crma/strategic/ree_magnets']
    """
    code = normalise_hs6(hs6)
    found = []
    for groups in (catalogue or _builtin()).lists.values():
        for g in groups:
            hit = any(m.hs6 == code for m in g.mappings) if date is None else code in g.hs6_on(date)
            if hit:
                found.append(g)
    return tuple(found)


def select_products(
    selector: str, date: dt.date, catalogue: Catalogue | None = None
) -> frozenset[str]:
    """HS6 codes named by a selector: ``critical:LIST``, ``critical:LIST/GROUP`` or a
    comma-separated list of HS6 codes.

    >>> import datetime as dt
    >>> sorted(select_products("critical:japan/permanent_magnets", dt.date(2024, 1, 1)))
    ['850511', '850519']
    >>> sorted(select_products("850511,10121", dt.date(2024, 1, 1)))
    ['010121', '850511']
    """
    cat = catalogue or _builtin()
    codes: set[str] = set()
    for part in (p.strip() for p in selector.split(",") if p.strip()):
        if not part.startswith("critical:"):
            from econsec.reference.names import check_hs6

            codes.add(check_hs6(part, field="--products"))
            continue
        path = part.removeprefix("critical:")
        list_id, _, group_id = path.partition("/")
        groups = groups_on(list_id, date, cat)
        if group_id:
            groups = tuple(g for g in groups if g.id == group_id)
            if not groups:
                known = ", ".join(g.id for g in _list(cat, list_id))
                raise NotFoundError(
                    f"no group {group_id!r} in list {list_id!r} on {date} (groups: {known})"
                )
        for g in groups:
            codes |= g.hs6_on(date)
    return frozenset(codes)
