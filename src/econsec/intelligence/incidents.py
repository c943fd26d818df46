"""The incident register: cases of economic coercion, with the fields of trade-intervention
trackers, and their links to the evidence — trade breaks found by the early warning and firms'
incident reports.

An incident names the implementing and the affected jurisdictions, the products (HS codes,
catalogue groups or the labels of the data at hand), the family (goods, people, business,
capital), the pretext, the announced / implemented / removed dates, whether it is in force, an
analyst's assessment and its sources. Records are checked by the same field rules as firms'
submissions (:mod:`econsec.sharing.records`) and read and written as CSV (lists ``;``-separated)
or JSON.

**Linking.** A trade event (exporter → importer, product, period) supports an incident when
one of its two countries implements the measure and the other is affected by it (an export
control, ``flow = exports``, runs from the implementer; an import ban, ``flow = imports``,
towards it; an incident without affected jurisdictions hits every partner), the product matches one of the
incident's (equal, or an HS code under a shorter one; ``*`` stands for every product, and an
incident that names no product has no trade signature) and the event's onset lies within the
incident's *onset window*: from the month before it was announced (or implemented) to
``onset_months`` after it took effect, and not after it was removed. A monthly event's month
must start in the window; an annual event's year must lie between the window's first and last
years. Firms' reports link by the same window (country = implementing jurisdiction, date in
the window; the product is checked when the incident names products).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from econsec.errors import FieldProblem, RecordsRejected
from econsec.intelligence.warning import Event
from econsec.reference.countries import code_or_name
from econsec.sharing.records import (
    FAMILIES,
    PRETEXTS,
    Field,
    IncidentReport,
    Value,
    check,
    parse_csv,
)
from econsec.spreadsheet import csv_bytes

__all__ = [
    "ASSESSMENTS",
    "FIELDS",
    "Evaluation",
    "Incident",
    "dump_csv",
    "dump_json",
    "evaluate",
    "file_records",
    "known_incidents",
    "load",
    "load_file",
    "matches",
    "supports",
]

FLOWS = ("both", "exports", "imports")
ASSESSMENTS = ("unassessed", "coercion_confirmed", "coercion_likely", "coercion_possible",
               "not_coercion")  # fmt: skip
FIELDS: tuple[Field, ...] = (
    Field("id", "text", required=False, max_length=40, description="stable id (default: derived)"),
    Field("title", "text"),
    Field("implementing", "countries", description="jurisdictions applying the measure"),
    Field("affected", "countries", required=False,
          description="jurisdictions it targets (empty: every destination or origin)"),
    Field("products", "texts", required=False, max_length=120,
          description="HS codes, catalogue groups or product labels (empty: all)"),
    Field("flow", "choice", required=False, choices=FLOWS, default="both",
          description="exports: the implementer's exports (an export control); imports: its "
          "imports (an import ban); both"),
    Field("family", "choice", choices=FAMILIES),
    Field("pretext", "choice", choices=PRETEXTS),
    Field("announced", "date", required=False),
    Field("implemented", "date", required=False),
    Field("removed", "date", required=False),
    Field("in_force", "bool", required=False),
    Field("assessment", "choice", required=False, choices=ASSESSMENTS, default="unassessed"),
    Field("sources", "texts", required=False, max_length=500,
          description="URLs or citations"),
)  # fmt: skip
_COLUMNS = tuple(f.name for f in FIELDS)


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    title: str
    implementing: tuple[str, ...]
    affected: tuple[str, ...]
    products: tuple[str, ...]
    flow: str
    family: str
    pretext: str
    announced: dt.date | None
    implemented: dt.date | None
    removed: dt.date | None
    in_force: bool
    assessment: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Value]:
        return {
            "id": self.id,
            "title": self.title,
            "implementing": list(self.implementing),
            "affected": list(self.affected),
            "products": list(self.products),
            "flow": self.flow,
            "family": self.family,
            "pretext": self.pretext,
            "announced": _iso(self.announced),
            "implemented": _iso(self.implemented),
            "removed": _iso(self.removed),
            "in_force": self.in_force,
            "assessment": self.assessment,
            "sources": list(self.sources),
        }

    def window(self, onset_months: int = 12) -> tuple[dt.date, dt.date]:
        """The onset window: events starting in it are this incident's trade signature."""
        start = self.announced or self.implemented
        effect = self.implemented or self.announced
        assert start is not None and effect is not None  # load() requires one of the two
        begin = _add_months(start.replace(day=1), -1)
        end = _add_months(effect, onset_months)
        if self.removed is not None:
            end = min(end, self.removed)
        return begin, end


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _texts(value: Value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else ()


def _text(value: Value) -> str | None:
    return None if value is None else str(value)


def load(records: Sequence[object], *, source: str | None = None) -> list[Incident]:
    """Incidents from JSON objects or CSV rows, all checked (else :class:`RecordsRejected`
    naming every bad field of every row)."""
    clean = check(FIELDS, records, source=source)
    problems = []
    out = []
    for row, r in enumerate(clean, 1):
        announced, implemented, removed = (_date(_text(r[k])) for k in ("announced",
                                           "implemented", "removed"))  # fmt: skip
        if announced is None and implemented is None:
            problems.append(FieldProblem(row, "implemented", "give announced or implemented"))
            continue
        if removed is not None and removed < (implemented or announced or removed):
            problems.append(FieldProblem(row, "removed", "expected a date after implemented"))
            continue
        ident = (
            r["id"]
            or hashlib.sha256(
                json.dumps(
                    [r["title"], r["implementing"], r["affected"], r["announced"], r["implemented"]]
                ).encode()
            ).hexdigest()[:12]
        )
        in_force = removed is None if r["in_force"] is None else bool(r["in_force"])
        out.append(
            Incident(
                str(ident), str(r["title"]), _texts(r["implementing"]), _texts(r["affected"]),
                _texts(r["products"]), str(r["flow"]), str(r["family"]), str(r["pretext"]),
                announced, implemented, removed, in_force, str(r["assessment"]),
                _texts(r["sources"]),
            )
        )  # fmt: skip
    ids = [i.id for i in out]
    problems += [
        FieldProblem(n, "id", "duplicate id {i!r}", values={"i": i})
        for n, i in enumerate(ids, 1)
        if ids.index(i) != n - 1
    ]
    if problems:
        raise RecordsRejected(problems, source=source)
    return out


def file_records(data: bytes, name: str) -> list[object]:
    """The records of a CSV or JSON file's bytes (JSON: an array of objects), unchecked."""
    if name.lower().endswith(".json"):
        try:
            records = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RecordsRejected([FieldProblem(None, "file", "not JSON: {exc}", values={"exc": exc})],
                                  source=name) from None  # fmt: skip
        if not isinstance(records, list):
            raise RecordsRejected([FieldProblem(None, "file", "expected a JSON array")],
                                  source=name)  # fmt: skip
        return records
    return list(parse_csv(data, source=name))


def load_file(data: bytes, name: str) -> list[Incident]:
    """Incidents from a CSV or JSON file's bytes (JSON: an array of objects)."""
    return load(file_records(data, name), source=name)


def dump_json(incidents: Iterable[Incident]) -> str:
    return json.dumps([i.as_dict() for i in incidents], ensure_ascii=False, indent=2)


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def dump_csv(incidents: Iterable[Incident]) -> bytes:
    """Spreadsheet-safe CSV (:mod:`econsec.spreadsheet`) that :func:`load_file` reads back
    (lists ``;``-separated, empty = none)."""
    rows = ([_cell(i.as_dict()[c]) for c in _COLUMNS] for i in incidents)
    return csv_bytes(_COLUMNS, rows)


def _product_matches(product: str, wanted: Sequence[str]) -> bool:
    if "*" in wanted:
        return True
    p = product.strip().lower()
    return any(p == w.lower() or (w.isdigit() and p.isdigit() and p.startswith(w)) for w in wanted)


def _period_bounds(period: str) -> tuple[dt.date, dt.date]:
    if len(period) == 4:
        return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
    first = dt.date(int(period[:4]), int(period[5:7]), 1)
    return first, _add_months(first, 1) - dt.timedelta(days=1)


def matches(incident: Incident, event: Event, onset_months: int = 12) -> bool:
    """Whether ``event`` is a trade signature of ``incident`` (see the module docstring)."""
    x, i = code_or_name(event.exporter), code_or_name(event.importer)
    imp, aff, flow = incident.implementing, incident.affected, incident.flow
    exports = flow != "imports" and x in imp and (not aff or i in aff)
    imports = flow != "exports" and i in imp and (not aff or x in aff)
    if not (exports or imports):
        return False
    if not _product_matches(event.product, incident.products):
        return False
    begin, end = incident.window(onset_months)
    first, _ = _period_bounds(event.period)
    if len(event.period) == 4:
        return begin.year <= first.year <= end.year
    return begin <= first <= end


def supports(incident: Incident, report: IncidentReport, onset_months: int = 12) -> bool:
    """Whether a firm's incident report (country, product, date) fits ``incident``."""
    if report.country not in incident.implementing:
        return False
    if (
        report.product
        and incident.products
        and not _product_matches(report.product, incident.products)
    ):
        return False
    begin, end = incident.window(onset_months)
    return begin <= dt.date.fromisoformat(report.date) <= end


def known_incidents() -> list[Incident]:
    """The documented cases shipped with econsec (the register's seed and the early warning's
    evaluation set), with their sources."""
    from importlib.resources import files

    data = files("econsec.intelligence").joinpath("known_incidents.csv").read_bytes()
    return load_file(data, "known_incidents.csv")


@dataclass(frozen=True)
class Evaluation:
    """How detected events compare with the incidents known in the data's span."""

    found: Mapping[str, tuple[Event, ...]]  # incident id → its events, earliest first
    missed: tuple[str, ...]  # incident ids with no event
    false_alarms: tuple[Event, ...]  # events that match no incident
    series_years: float

    @property
    def false_alarm_rate(self) -> float:
        """False alarms per series-year."""
        return len(self.false_alarms) / self.series_years if self.series_years else 0.0


def evaluate(
    events: Sequence[Event], incidents: Sequence[Incident], series_years: float,
    onset_months: int = 12,
) -> Evaluation:  # fmt: skip
    """Match ``events`` with ``incidents`` (only incidents that can appear: pass those whose
    countries, products and dates the data cover)."""
    found = {
        i.id: tuple(
            sorted((e for e in events if matches(i, e, onset_months)), key=lambda e: e.period)
        )
        for i in incidents
    }
    linked = {id(e) for evs in found.values() for e in evs}
    return Evaluation(
        {k: v for k, v in found.items() if v},
        tuple(k for k, v in found.items() if not v),
        tuple(e for e in events if id(e) not in linked),
        series_years,
    )
