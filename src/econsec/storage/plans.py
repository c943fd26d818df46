"""Critical-infrastructure equipment plans in the platform's store: the records sealed with the
plan's id (AES-256-GCM, as submissions), the review's steps in clear (dates, decisions and
reasons are the ministry's own record)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from econsec.errors import NotFoundError
from econsec.infrastructure.review import Review, review_from_dict
from econsec.storage.platform import Account, all_accounts, now
from econsec.storage.platform_db import equipment_plans, organisations, plan_reminders
from econsec.storage.sealing import KeyRing

__all__ = [
    "SentReminder",
    "StoredPlan",
    "add_plan",
    "add_reminder",
    "get_plan",
    "list_plans",
    "mark_read",
    "reminders_of",
    "reviewer_accounts",
    "save_review",
]


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan as stored: its operator, sector, version, review and (when unsealed) records."""

    id: str
    org_id: str
    operator: str
    sector: str
    version: int
    review: Review
    records: tuple[Mapping[str, Any], ...] | None = None


def add_plan(
    conn: sa.Connection, ring: KeyRing, org_id: str, operator: str, sector: str,
    records: Sequence[Mapping[str, Any]], review: Review, revises: str | None = None,
) -> StoredPlan:  # fmt: skip
    """Store a filed plan (a revision of ``revises`` when given: the same lineage, the next
    version; the earlier version's review is closed as superseded)."""
    lineage, version = review.plan_id, 1
    if revises is not None:
        earlier = conn.execute(sa.select(equipment_plans).where(
            equipment_plans.c.id == revises, equipment_plans.c.org_id == org_id)).first()  # fmt: skip
        if earlier is None:
            raise NotFoundError(f"no plan {revises!r} of this operator")
        lineage, version = earlier.lineage, earlier.version + 1
        conn.execute(equipment_plans.update().where(equipment_plans.c.id == revises)
                     .values(status="superseded", updated_at=now()))  # fmt: skip
    body = ring.seal(json.dumps(list(records), default=str).encode(), review.plan_id.encode())
    conn.execute(equipment_plans.insert().values(
        id=review.plan_id, org_id=org_id, sector=sector, lineage=lineage, version=version,
        body=body, review=json.dumps(review.as_dict()), status=review.status,
        created_at=now(), updated_at=now()))  # fmt: skip
    return StoredPlan(review.plan_id, org_id, operator, sector, version, review, tuple(records))


def _plan(row: Any, ring: KeyRing, unseal: bool) -> StoredPlan:
    records = tuple(json.loads(ring.open(row.body, row.id.encode()))) if unseal else None
    return StoredPlan(row.id, row.org_id, row.name, row.sector, row.version,
                      review_from_dict(json.loads(row.review)), records)  # fmt: skip


def _select() -> sa.Select[Any]:
    return sa.select(equipment_plans, organisations.c.name).join(
        organisations, organisations.c.id == equipment_plans.c.org_id
    )


def get_plan(conn: sa.Connection, ring: KeyRing, plan_id: str) -> StoredPlan:
    """One plan with its records (unsealed)."""
    row = conn.execute(_select().where(equipment_plans.c.id == plan_id)).first()
    if row is None:
        raise NotFoundError(f"no plan {plan_id!r}")
    return _plan(row, ring, unseal=True)


def list_plans(
    conn: sa.Connection, ring: KeyRing, *, org_id: str | None = None,
    sectors: Sequence[str] | None = None, records: bool = False, current: bool = True,
) -> list[StoredPlan]:  # fmt: skip
    """Plans of one operator or of some sectors (all when neither is given), newest first;
    ``current``: not superseded; ``records``: unsealed too (for the cross-operator counts)."""
    query = _select().order_by(equipment_plans.c.created_at.desc())
    if org_id is not None:
        query = query.where(equipment_plans.c.org_id == org_id)
    if sectors is not None:
        query = query.where(equipment_plans.c.sector.in_(list(sectors)))
    if current:
        query = query.where(equipment_plans.c.status != "superseded")
    return [_plan(row, ring, records) for row in conn.execute(query)]


def save_review(conn: sa.Connection, plan_id: str, review: Review) -> None:
    """Keep a review's new step (its status and deadline with it)."""
    conn.execute(equipment_plans.update().where(equipment_plans.c.id == plan_id).values(
        review=json.dumps(review.as_dict()), status=review.status, updated_at=now()))  # fmt: skip


@dataclass(frozen=True, slots=True)
class SentReminder:
    """A reminder sent to one reviewer: the plan, its deadline then, when sent and read."""

    id: str
    plan_id: str
    deadline: dt.date
    sent_at: dt.datetime
    read_at: dt.datetime | None


def add_reminder(conn: sa.Connection, plan_id: str, deadline: dt.date, user_id: str) -> bool:
    """Record a reminder unless this reviewer already had one for this plan and deadline;
    whether it is new."""
    found = conn.execute(sa.select(plan_reminders.c.id).where(
        plan_reminders.c.plan_id == plan_id, plan_reminders.c.deadline == deadline,
        plan_reminders.c.user_id == user_id)).first()  # fmt: skip
    if found is not None:
        return False
    conn.execute(plan_reminders.insert().values(id=str(uuid.uuid4()), plan_id=plan_id,
                                                deadline=deadline, user_id=user_id,
                                                sent_at=now()))  # fmt: skip
    return True


def reminders_of(conn: sa.Connection, user_id: str) -> list[SentReminder]:
    """The reminders sent to a reviewer, newest first."""
    rows = conn.execute(sa.select(plan_reminders).where(plan_reminders.c.user_id == user_id)
                        .order_by(plan_reminders.c.sent_at.desc()))  # fmt: skip
    return [SentReminder(r.id, r.plan_id, r.deadline, r.sent_at, r.read_at) for r in rows]


def mark_read(conn: sa.Connection, reminder_id: str, user_id: str) -> bool:
    """Mark one of the reviewer's own reminders read; whether there was one."""
    done = conn.execute(plan_reminders.update().where(
        plan_reminders.c.id == reminder_id, plan_reminders.c.user_id == user_id,
        plan_reminders.c.read_at.is_(None)).values(read_at=now()))  # fmt: skip
    return done.rowcount > 0


def reviewer_accounts(conn: sa.Connection) -> list[Account]:
    """Every active reviewer's account (the caller decides which may review what)."""
    return [a for a in all_accounts(conn) if a.role == "reviewer"]
