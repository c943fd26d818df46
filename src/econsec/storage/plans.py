"""Critical-infrastructure equipment plans in the platform's store: the records sealed with the
plan's id (AES-256-GCM, as submissions), the review's steps in clear (dates, decisions and
reasons are the ministry's own record)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from econsec.errors import NotFoundError
from econsec.infrastructure.review import Review, review_from_dict
from econsec.storage.platform import now
from econsec.storage.platform_db import equipment_plans, organisations
from econsec.storage.sealing import KeyRing

__all__ = ["StoredPlan", "add_plan", "get_plan", "list_plans", "save_review"]


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
