"""Firms' submissions: supplier relationships, coercion incidents and outflow concerns.

A submission is validated whole — every bad field of every row is reported — and stored in one
transaction, so a rejected upload leaves nothing behind. A firm sees and withdraws its own;
cleared analysts see the records their clearance allows. A submission the caller may not see
looks exactly like a missing one (:class:`NotFoundError`), and both are audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from econsec.access.policy import Classification, Resource
from econsec.app.platform import Caller, Platform
from econsec.errors import AccessDenied, NotFoundError
from econsec.sharing.benchmarks import Exposure, exposure
from econsec.sharing.records import KINDS, Record, SupplierRecord, validate
from econsec.storage import platform as store

__all__ = [
    "STATUSES",
    "SubmissionInfo",
    "SubmissionRecords",
    "get_submission",
    "list_submissions",
    "own_exposure",
    "submit",
    "withdraw",
]

STATUSES = ("current", "superseded", "withdrawn")
_NOT_FOUND = "no submission with this id"


@dataclass(frozen=True, slots=True)
class SubmissionInfo:
    """A submission without its records: what it is, its version and status."""

    id: str
    kind: str
    version: int
    lineage: str
    status: str
    classification: str
    compartments: tuple[str, ...]
    n_records: int
    created_at: str
    withdrawn_at: str | None


@dataclass(frozen=True, slots=True)
class SubmissionRecords(SubmissionInfo):
    """A submission with the records the caller may read."""

    records: tuple[Record, ...] = ()


def _info(sub: store.Submission) -> SubmissionInfo:
    return SubmissionInfo(
        id=sub.id,
        kind=sub.kind,
        version=sub.version,
        lineage=sub.lineage,
        status=sub.status,
        classification=sub.classification.value,
        compartments=sub.compartments,
        n_records=sub.n_records,
        created_at=sub.created_at.isoformat(),
        withdrawn_at=sub.withdrawn_at.isoformat() if sub.withdrawn_at else None,
    )


def _with(sub: store.Submission, records: Sequence[Record]) -> SubmissionRecords:
    info = _info(sub)
    values = {f.name: getattr(info, f.name) for f in fields(SubmissionInfo)}
    return SubmissionRecords(**values, records=tuple(records))


def submit(
    p: Platform, caller: Caller, kind: str, data: Sequence[object], source: str
) -> SubmissionRecords:
    """Validate and store records of ``kind`` as the caller's organisation's current submission
    of that kind (authorised, audited); they supersede its earlier one."""
    s = caller.subject
    if kind not in KINDS:
        raise NotFoundError(f"no submission kind {kind!r} (kinds: {', '.join(KINDS)})")
    p.authorise(s, "submit", Resource("submission", owner_org=s.org), f"submissions/{kind}")
    clean = validate(kind, data, source=source)
    with p.write() as conn:
        sub = store.add_submission(conn, p.ring, s.org, caller.account.user_id, kind, clean)
    return _with(sub, clean)


def list_submissions(
    p: Platform, caller: Caller, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[SubmissionInfo]:
    """The caller's organisation's submissions, newest first; cleared analysts: those with
    records their clearance allows."""
    s = caller.subject
    firm = s.org_kind == "firm"
    p.authorise(
        s,
        "read",
        Resource("submission", Classification.RESTRICTED, s.org if firm else None),
        "submissions (list)",
    )
    with p.read() as conn:
        subs = store.list_submissions(conn, s.org if firm else None, status, limit, offset)
    return [_info(sub) for sub in subs if firm or p.visible_records(s, sub)]


def _get(p: Platform, caller: Caller, sub_id: str, action: str) -> store.Submission:
    """The submission, or :class:`NotFoundError` alike for missing and not allowed (audited)."""
    with p.read() as conn:
        sub = store.get_submission(conn, sub_id[:36])
    s = caller.subject
    if sub is None:
        p.audit(s.user, action, f"submission/{sub_id[:36]}", False, "no such submission")
        raise NotFoundError(_NOT_FOUND)
    resource = Resource("submission", sub.classification, sub.org_id)
    try:
        if action == "read" and sub.org_id != s.org:
            if not p.visible_records(s, sub):
                p.authorise(s, "read", resource, f"submission/{sub.id}")
            else:
                p.audit(s.user, "read", f"submission/{sub.id}", True, "records the policy allows")
        else:
            p.authorise(s, action, resource, f"submission/{sub.id}")
    except AccessDenied:
        raise NotFoundError(_NOT_FOUND) from None
    return sub


def get_submission(p: Platform, caller: Caller, sub_id: str) -> SubmissionRecords:
    """One submission with the records the caller may read."""
    sub = _get(p, caller, sub_id, "read")
    return _with(sub, p.visible_records(caller.subject, sub))


def withdraw(p: Platform, caller: Caller, sub_id: str) -> SubmissionInfo:
    """Withdraw one of the caller's organisation's submissions: left out of future findings
    and aggregates, kept for audit."""
    sub = _get(p, caller, sub_id, "withdraw")
    with p.write() as conn:
        return _info(store.withdraw(conn, sub.id))


def own_exposure(p: Platform, caller: Caller) -> Exposure | None:
    """The caller's firm's own exposure from its current supplier submission; None without one."""
    s = caller.subject
    p.authorise(s, "submit", Resource("submission", owner_org=s.org), "exposure")
    with p.read() as conn:
        subs = store.list_submissions(conn, s.org, "current", 10, 0)
    records = [
        r
        for sub in subs
        if sub.kind == "suppliers"
        for r in p.visible_records(s, sub)
        if isinstance(r, SupplierRecord)
    ]
    return exposure(records) if records else None
