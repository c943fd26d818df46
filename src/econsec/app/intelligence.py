"""Economic intelligence for government analysts: the incident register (with its evidence),
early-warning events on uploaded trade flows, and technology-outflow summaries — the last
released to firms only cell by cell through the disclosure guard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from econsec.access.policy import Classification, Resource
from econsec.app import ledger
from econsec.app.platform import Caller, Platform
from econsec.app.sharing import check_audience
from econsec.intelligence.incidents import (
    Incident,
    dump_csv,
    dump_json,
    load,
    matches,
    supports,
)
from econsec.intelligence.warning import Event, check_flows, detect
from econsec.sharing import outflow
from econsec.sharing.disclosure import Verdict
from econsec.sharing.ledger import Statistic
from econsec.sharing.outflow import OutflowCell
from econsec.sharing.records import IncidentReport, OutflowReport
from econsec.sharing.releases import Release, outflow_release
from econsec.storage import intelligence as intel
from econsec.storage import platform as store

__all__ = [
    "REGISTER",
    "Candidate",
    "CellSummary",
    "Evidence",
    "OutflowRelease",
    "OutflowSummary",
    "StoredEvent",
    "Withheld",
    "delete_incident",
    "detect_events",
    "export_incidents",
    "import_incidents",
    "incident_candidates",
    "incidents",
    "list_events",
    "outflow_summary",
    "release_outflow",
]

REGISTER = Resource("incident_register", Classification.SHARED)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A registered incident with the ids of the trade events that match it and the number of
    firms' incident reports (that the caller may read) that support it."""

    incident: Incident
    events: tuple[str, ...]
    firm_reports: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """Firms' incident reports grouped by jurisdiction, family, pretext, product and month,
    with the registered incidents the group supports (none: a candidate for the register)."""

    country: str
    family: str
    pretext: str
    product: str | None
    month: str
    n_reports: int
    n_firms: int
    impacts: tuple[str, ...]
    incidents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An early-warning event as stored, with the incidents it matches."""

    id: str
    source: str
    event: Event
    incidents: tuple[str, ...]
    found: str = ""  # when it was first kept (ISO 8601, UTC)


@dataclass(frozen=True, slots=True)
class CellSummary:
    """An outflow cell as analysts see it (its firms' identities stay sealed)."""

    area: str
    channel: str
    n_reports: int
    n_firms: int
    mean_severity: float
    max_severity: int
    releasable: bool
    rule: str


@dataclass(frozen=True, slots=True)
class OutflowSummary:
    cells: tuple[CellSummary, ...]
    method: str = outflow.METHOD


@dataclass(frozen=True, slots=True)
class Withheld:
    """An outflow cell the guard did not let through (never with its counts)."""

    area: str
    channel: str
    rule: str


@dataclass(frozen=True, slots=True)
class OutflowRelease:
    released: tuple[Release, ...]
    withheld: tuple[Withheld, ...]


def _reports(p: Platform, caller: Caller, kind: str) -> list[tuple[str, object]]:
    """(firm, record) of the current submissions of ``kind`` that the caller may read (the
    policy decides per record)."""
    with p.read() as conn:
        subs = store.list_submissions(conn, None, "current", 10_000, 0)
    return [(sub.org_id, r) for sub in subs if sub.kind == kind
            for r in p.visible_records(caller.subject, sub)]  # fmt: skip


def _incident_reports(p: Platform, caller: Caller) -> list[tuple[str, IncidentReport]]:
    return [(f, r) for f, r in _reports(p, caller, "incidents") if isinstance(r, IncidentReport)]


def incidents(p: Platform, caller: Caller) -> list[Evidence]:
    """The incident register with its evidence."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents")
    with p.read() as conn:
        register = intel.list_incidents(conn)
        events = [e[:3] for e in intel.list_events(conn)]
    reports = [r for _, r in _incident_reports(p, caller)]
    return [
        Evidence(
            i,
            tuple(eid for eid, _, e in events if matches(i, e)),
            sum(supports(i, r) for r in reports),
        )
        for i in register
    ]


def incident_candidates(p: Platform, caller: Caller) -> list[Candidate]:
    """Firms' incident reports (those the caller may read) grouped, unsupported groups first."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents (candidates)")
    with p.read() as conn:
        register = intel.list_incidents(conn)
    groups: dict[tuple[str, str, str, str, str], list[tuple[str, IncidentReport]]] = {}
    for firm, r in _incident_reports(p, caller):
        key = (r.country, r.family, r.pretext, r.product or "", r.date[:7])
        groups.setdefault(key, []).append((firm, r))
    out = [
        Candidate(
            country, family, pretext, product or None, month, len(rows),
            len({f for f, _ in rows}), tuple(sorted({r.impact for _, r in rows})),
            tuple(sorted({i.id for i in register for _, r in rows if supports(i, r)})),
        )
        for (country, family, pretext, product, month), rows in groups.items()
    ]  # fmt: skip
    return sorted(out, key=lambda g: (bool(g.incidents), -g.n_firms, g.month))


def import_incidents(
    p: Platform, caller: Caller, records: Sequence[object], source: str
) -> list[Incident]:
    """Add or replace incidents (by id); all or nothing: one bad field rejects the import and
    names every problem."""
    p.authorise(caller.subject, "manage_intelligence", REGISTER, "incidents (import)")
    items = load(records, source=source)
    with p.write() as conn:
        intel.put_incidents(conn, items, caller.account.user_id)
    return items


def export_incidents(
    p: Platform, caller: Caller, fmt: str, keep: Callable[[Incident], bool] = lambda i: True
) -> bytes:
    """The register (the incidents ``keep`` accepts) as CSV (spreadsheet-safe) or JSON bytes,
    in the import format, without the partners' items whose TLP marking keeps them within the
    organisation (an export may travel)."""
    from econsec.app.exchange import withheld_by_tlp

    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents (export)")
    with p.read() as conn:
        items = [i for i in intel.list_incidents(conn) if keep(i) and not withheld_by_tlp(i)]
    return dump_csv(items) if fmt == "csv" else dump_json(items).encode("utf-8")


def delete_incident(p: Platform, caller: Caller, incident_id: str) -> None:
    p.authorise(caller.subject, "manage_intelligence", REGISTER, f"incident/{incident_id[:40]}")
    with p.write() as conn:
        intel.delete_incident(conn, incident_id[:40])


def detect_events(
    p: Platform, caller: Caller, records: Sequence[object], source: str
) -> list[Event]:
    """Run the early warning on flow records (period, exporter, importer, product, value) and
    keep its events under ``source`` (replacing that source's earlier run)."""
    p.authorise(caller.subject, "manage_intelligence", REGISTER, f"events/{source[:200]}")
    events = detect(check_flows(records, source=source))
    with p.write() as conn:
        intel.put_events(conn, events, source[:200], caller.account.user_id)
    return events


def keep_watch_events(p: Platform, watch: str, events: Sequence[Event]) -> list[Event]:
    """Keep what a scheduled watchlist refresh found (source ``watch:<name>``; events found
    before keep their first time) and audit it; the new events. The refresh is the operator's
    job, run where the platform's database is, like the administrator's commands; what it keeps
    is read through :func:`list_events`, for cleared government analysts only."""
    source = f"watch:{watch}"[:200]
    with p.write() as conn:
        new = intel.add_events(conn, events, source, "system:watch")
    p.audit("system:watch", "keep_events", source, True, f"{len(new)} new of {len(events)}")
    return new


def list_events(p: Platform, caller: Caller) -> list[StoredEvent]:
    """Stored early-warning events, most confident first, each with matching incidents."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "events")
    with p.read() as conn:
        events = intel.list_events(conn)
        register = intel.list_incidents(conn)
    return [
        StoredEvent(eid, src, e, tuple(i.id for i in register if matches(i, e)), found)
        for eid, src, e, found in events
    ]


def _cells(p: Platform, caller: Caller) -> list[OutflowCell]:
    earlier: dict[tuple[str, str], list[frozenset[str]]] = {}
    with p.read() as conn:
        for release, contributors in store.release_rows(conn, p.ring):
            if release.kind == "outflow" and release.area and release.channel:
                earlier.setdefault((release.area, release.channel), []).append(contributors)
    reports = [(f, r) for f, r in _reports(p, caller, "outflow") if isinstance(r, OutflowReport)]
    return outflow.summary(reports, p.settings.guard, earlier)


def outflow_summary(p: Platform, caller: Caller) -> OutflowSummary:
    """Firms' outflow reports (that the caller may read) by technology area and channel, each
    cell with whether the disclosure guard would let it be released to firms."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "outflow (summary)")
    cells = tuple(
        CellSummary(c.area, c.channel, c.n_reports, c.n_firms, c.mean_severity, c.max_severity,
                    c.releasable, c.rule)
        for c in _cells(p, caller)
    )  # fmt: skip
    return OutflowSummary(cells)


def release_outflow(p: Platform, caller: Caller, audience: str) -> OutflowRelease:
    """Release to ``audience`` every outflow cell the disclosure guard allows, as alerts; the
    others are listed as withheld with the rule."""
    check_audience(audience)
    s = caller.subject
    p.authorise(s, "publish_release", Resource("outflow", Classification.RESTRICTED),
                "outflow (release)")  # fmt: skip
    cells = _cells(p, caller)
    released, withheld = [], []
    published = p.now().isoformat(timespec="seconds").replace("+00:00", "Z")
    with p.write() as conn:
        admitted: list[Statistic] = []
        for c in cells:
            label = f"outflow/{c.area}/{c.channel}"
            verdict = Verdict(c.releasable, c.rule, "")
            if verdict.allowed:  # the ledger, against all earlier and this batch's releases
                verdict = ledger.admit(p, conn, [*admitted, *outflow.statistics(c)])
            store.append_audit(conn, p.ring, s.user, "release_guard", label, verdict.allowed,
                               verdict.rule)  # fmt: skip
            if not verdict.allowed:
                withheld.append(Withheld(c.area, c.channel, verdict.rule))
                continue
            release = outflow_release(c, audience, published)
            store.add_release(conn, p.ring, release, c.contributors, s.user)
            ledger.record(p, conn, s.user, "outflow", f"release/{release.id}",
                          outflow.statistics(c), {"n_firms": release.n_firms,
                                                  "mean_severity": release.mean_severity})  # fmt: skip
            admitted += outflow.statistics(c)
            released.append(release)
    return OutflowRelease(tuple(released), tuple(withheld))
