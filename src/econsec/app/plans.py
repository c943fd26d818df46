"""The critical-infrastructure equipment review on the platform: operators file plans, the
reviewers of each sector extend, decide and see each plan's risk factors, operators answer
recommendations; cleared analysts see which vendors many operators share. Every call is
authorised by the policy (``file_plan``, ``read_plan``, ``review_plan``) and audited; an operator
never learns anything about another operator's plans."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from econsec.access.policy import Classification, Resource, is_allowed
from econsec.app.platform import Caller, Platform
from econsec.errors import AccessDenied, InputError, NotFoundError
from econsec.infrastructure.review import (
    PLAN_FIELDS,
    SECTORS,
    Review,
    Risk,
    caseload,
    decide,
    extend,
    file_plan,
    reminders,
    respond,
    risk_factors,
    vendor_key,
)
from econsec.sharing.records import check
from econsec.storage import plans as store
from econsec.storage.plans import StoredPlan
from econsec.storage.platform import append_audit as audit_in

__all__ = [
    "PlanView",
    "answer",
    "caseload_report",
    "change_deadline",
    "decide_plan",
    "file",
    "plan",
    "plans",
    "read_reminder",
    "send_reminders",
    "sent_reminders",
    "shared_vendors",
    "upcoming",
]

#: Vendors named by at least this many operators are shown to cleared analysts (as counts).
MIN_OPERATORS = 3
_NOT_FOUND = "no plan with this id"


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan as its reader may see it: the review and, for the operator and the reviewers, the
    records; risk factors for reviewers only."""

    id: str
    operator: str
    sector: str
    version: int
    review: dict[str, Any]
    days_left: int
    records: tuple[dict[str, Any], ...] = ()
    risks: tuple[Risk, ...] = ()


def _resource(org_id: str | None, sector: str | None) -> Resource:
    return Resource("plan", Classification.CONFIDENTIAL, owner_org=org_id, compartment=sector)


def _risks(p: Platform, stored: StoredPlan) -> tuple[Risk, ...]:
    """What the platform knows about a plan's suppliers (for its reviewers)."""
    from econsec.reference.countries import group_members
    from econsec.storage import intelligence as intel

    with p.read() as conn:
        others = [q for q in store.list_plans(conn, p.ring, records=True)
                  if q.org_id != stored.org_id]  # fmt: skip
        register = intel.list_incidents(conn)
    named: Counter[str] = Counter()
    for q in others:
        for vendor in {vendor_key(r.get("supplier_name")) for r in q.records or ()}:
            named[vendor] += 1
    coercing = frozenset(c for i in register if i.in_force for c in i.implementing)
    return tuple(risk_factors(stored.records or (), concern=group_members("concern"),
                              incident_countries=coercing, vendor_operators=named))  # fmt: skip


def _view(p: Platform, stored: StoredPlan, reviewer: bool) -> PlanView:
    today = p.now().date()
    return PlanView(stored.id, stored.operator, stored.sector, stored.version,
                    stored.review.as_dict(), stored.review.days_left(today),
                    tuple(dict(r) for r in stored.records or ()),
                    _risks(p, stored) if reviewer else ())  # fmt: skip


def file(
    p: Platform, caller: Caller, data: Sequence[object], source: str, revises: str | None = None
) -> PlanView:
    """File a plan (every bad field of every record named; nothing kept unless all pass)."""
    s = caller.subject
    p.authorise(s, "file_plan", _resource(s.org, s.sector), "plans (file)")
    if s.sector is None or s.sector not in SECTORS:
        raise InputError("the operator's sector {sector!r} is no specified infrastructure sector",
                         values={"sector": s.sector}, expected=", ".join(SECTORS))  # fmt: skip
    clean = check(PLAN_FIELDS, data, source=source, max_records=500)
    review = file_plan(str(uuid.uuid4()), caller.account.org_name, s.sector, p.now().date())
    with p.write() as conn:
        stored = store.add_plan(conn, p.ring, s.org, caller.account.org_name, s.sector, clean,
                                review, revises)  # fmt: skip
    return _view(p, stored, reviewer=False)


def _sectors_of(caller: Caller) -> list[str]:
    return sorted(set(caller.subject.clearance.compartments) & set(SECTORS))


def plans(p: Platform, caller: Caller) -> list[PlanView]:
    """An operator's own plans; a reviewer's sectors' plans (current versions), newest first."""
    s = caller.subject
    if s.role == "operator_submitter":
        p.authorise(s, "read_plan", _resource(s.org, s.sector), "plans (own)")
        with p.read() as conn:
            found = store.list_plans(conn, p.ring, org_id=s.org, records=True)
        return [_view(p, q, reviewer=False) for q in found]
    sectors = _reviewed(p, caller)
    if not sectors:
        p.authorise(s, "review_plan", _resource(None, None), "plans (list)")  # refused, audited
    for sector in sectors:
        p.audit(s.user, "read_plan", f"plans/{sector}", True, "plans: reviewers of the sector")
    with p.read() as conn:
        found = store.list_plans(conn, p.ring, sectors=sectors)
    return [PlanView(q.id, q.operator, q.sector, q.version, q.review.as_dict(),
                     q.review.days_left(p.now().date())) for q in found]  # fmt: skip


def _get(p: Platform, caller: Caller, plan_id: str, action: str) -> StoredPlan:
    with p.read() as conn:
        try:
            stored = store.get_plan(conn, p.ring, plan_id[:36])
        except NotFoundError:
            stored = None
    label = f"plan/{plan_id[:36]}"
    if stored is None:
        p.audit(caller.subject.user, action, label, False, _NOT_FOUND)
        raise NotFoundError(_NOT_FOUND)
    try:
        p.authorise(caller.subject, action, _resource(stored.org_id, stored.sector), label)
    except AccessDenied:
        raise NotFoundError(_NOT_FOUND) from None  # a hidden plan looks like a missing one
    return stored


def plan(p: Platform, caller: Caller, plan_id: str) -> PlanView:
    """One plan: its records and review; for its reviewers its risk factors too."""
    stored = _get(p, caller, plan_id, "read_plan")
    return _view(p, stored, reviewer=caller.subject.role == "reviewer")


def _saved(p: Platform, stored: StoredPlan, review: Review, reviewer: bool) -> PlanView:
    with p.write() as conn:
        store.save_review(conn, stored.id, review)
    return _view(p, StoredPlan(stored.id, stored.org_id, stored.operator, stored.sector,
                               stored.version, review, stored.records), reviewer)  # fmt: skip


def change_deadline(
    p: Platform, caller: Caller, plan_id: str, deadline: dt.date, reason: str
) -> PlanView:
    """Shorten or extend a review's period (a reviewer of the plan's sector; with a reason)."""
    stored = _get(p, caller, plan_id, "review_plan")
    review = extend(stored.review, deadline, reason[:2000], caller.account.username,
                    p.now().date())  # fmt: skip
    return _saved(p, stored, review, reviewer=True)


def decide_plan(p: Platform, caller: Caller, plan_id: str, decision: str, reasons: str) -> PlanView:
    """No objection, a recommendation, or (after a declined recommendation) an order."""
    stored = _get(p, caller, plan_id, "review_plan")
    review = decide(stored.review, decision, reasons[:4000], caller.account.username,
                    p.now().date())  # fmt: skip
    return _saved(p, stored, review, reviewer=True)


def answer(p: Platform, caller: Caller, plan_id: str, accept: bool, reason: str = "") -> PlanView:
    """The operator's answer to a recommendation on its plan."""
    stored = _get(p, caller, plan_id, "read_plan")
    if caller.subject.role != "operator_submitter":
        raise NotFoundError(_NOT_FOUND)
    p.authorise(caller.subject, "file_plan", _resource(stored.org_id, stored.sector),
                f"plan/{stored.id} (answer)")  # fmt: skip
    review = respond(stored.review, accept, caller.account.org_name, p.now().date(),
                     reason[:2000])  # fmt: skip
    return _saved(p, stored, review, reviewer=False)


def _reviewed(p: Platform, caller: Caller) -> list[str]:
    """The sectors whose plans the caller may review now."""
    return [x for x in _sectors_of(caller)
            if is_allowed(caller.subject, "review_plan", _resource(None, x), p.now())]  # fmt: skip


def _reviews(p: Platform, caller: Caller) -> list[Review]:
    with p.read() as conn:
        return [q.review for q in store.list_plans(conn, p.ring, sectors=_reviewed(p, caller))]


def upcoming(p: Platform, caller: Caller, within: int = 7) -> list[dict[str, Any]]:
    """The reviewer's reviews whose deadline comes within ``within`` days, soonest first."""
    p.audit(caller.subject.user, "read_plan", "plans (reminders)", True, "reviewer's sectors")
    today = p.now().date()
    return [r.as_dict() | {"days_left": r.days_left(today)}
            for r in reminders(_reviews(p, caller), today, within)]  # fmt: skip


def send_reminders(p: Platform, within: int = 7, actor: str = "reminders") -> int:
    """Send each reviewer a reminder of every plan of their sectors whose deadline comes within
    ``within`` days — once per plan, deadline and reviewer, so a moved deadline is reminded
    again — and audit each; how many were sent. (A scheduled job: ``econsec
    send-reminders``.)"""
    today, moment = p.now().date(), p.now()
    with p.read() as conn:
        stored = store.list_plans(conn, p.ring)
        accounts = store.reviewer_accounts(conn)
    due = {r.plan_id for r in reminders([q.review for q in stored], today, within)}
    sent = 0
    with p.write() as conn:
        for q in stored:
            if q.review.plan_id not in due:
                continue
            for account in accounts:
                subject = p.subject(account)
                if not is_allowed(subject, "review_plan", _resource(None, q.sector), moment):
                    continue
                if store.add_reminder(conn, q.id, q.review.deadline, account.user_id):
                    sent += 1
                    audit_in(conn, p.ring, actor, "remind", f"plan/{q.id}", True,
                             f"to {account.username}: deadline {q.review.deadline}")  # fmt: skip
    return sent


def sent_reminders(p: Platform, caller: Caller) -> list[dict[str, Any]]:
    """The reminders sent to the caller, newest first, with the plan's current days left."""
    p.audit(caller.subject.user, "read_plan", "plans (reminders sent)", True, "own reminders")
    today = p.now().date()
    with p.read() as conn:
        mine = store.reminders_of(conn, caller.account.user_id)
        stored = {q.id: q for q in store.list_plans(conn, p.ring, current=False)}
    return [{"id": r.id, "plan_id": r.plan_id, "deadline": r.deadline.isoformat(),
             "sent_at": r.sent_at.isoformat(timespec="seconds"), "read": r.read_at is not None,
             "operator": stored[r.plan_id].operator if r.plan_id in stored else "",
             "days_left": (r.deadline - today).days} for r in mine]  # fmt: skip


def read_reminder(p: Platform, caller: Caller, reminder_id: str) -> None:
    """Mark one of the caller's reminders read (:class:`NotFoundError` for any other)."""
    with p.write() as conn:
        done = store.mark_read(conn, reminder_id[:36], caller.account.user_id)
        audit_in(conn, p.ring, caller.subject.user, "read_plan", f"reminder/{reminder_id[:36]}",
                 done, "mark read")  # fmt: skip
    if not done:
        raise NotFoundError("no unread reminder with this id")


def caseload_report(p: Platform, caller: Caller) -> list[dict[str, Any]]:
    """Per sector of the reviewer: under review, overdue, decided by kind, mean days taken."""
    if caller.subject.role != "reviewer":
        p.authorise(caller.subject, "review_plan", _resource(None, None), "plans (caseload)")
    p.audit(caller.subject.user, "read_plan", "plans (caseload)", True, "reviewer's sectors")
    return caseload(_reviews(p, caller), p.now().date())


def shared_vendors(p: Platform, caller: Caller) -> list[dict[str, Any]]:
    """Vendors named in the current plans of at least :data:`MIN_OPERATORS` operators, with the
    number of operators and of sectors (never which operators): for cleared analysts."""
    p.authorise(caller.subject, "read_findings",
                Resource("finding", Classification.RESTRICTED), "plans (shared vendors)")  # fmt: skip
    with p.read() as conn:
        found = store.list_plans(conn, p.ring, records=True)
    users: dict[str, set[tuple[str, str]]] = {}
    for q in found:
        for vendor in {vendor_key(r.get("supplier_name")) for r in q.records or ()}:
            users.setdefault(vendor, set()).add((q.org_id, q.sector))
    return sorted(({"vendor": v, "operators": len({o for o, _ in who}),
                    "sectors": len({x for _, x in who})}
                   for v, who in users.items() if len({o for o, _ in who}) >= MIN_OPERATORS),
                  key=lambda x: (-x["operators"], x["vendor"]))  # fmt: skip
