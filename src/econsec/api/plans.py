"""Critical-infrastructure equipment plans: operators file them and answer recommendations; the
reviewers of each sector see them with their risk factors, change deadlines and decide; cleared
analysts see the vendors many operators share (as counts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.api.uploads import read_records, upload_openapi
from econsec.app import plans as app
from econsec.app.plans import PlanView
from econsec.infrastructure.review import PLAN_FIELDS
from econsec.sharing.records import json_schema

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/plans", tags=["plans"], responses=RESPONSES)


class DeadlineRequest(BaseModel):
    deadline: dt.date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DecisionRequest(BaseModel):
    decision: Literal["no_objection", "recommendation", "order"]
    reasons: Annotated[str, Field(max_length=4000)] = ""


class AnswerRequest(BaseModel):
    accept: bool
    reason: Annotated[str, Field(max_length=2000)] = ""


@router.post("", status_code=201, openapi_extra=upload_openapi(json_schema(PLAN_FIELDS)))
async def file_plan(
    request: Request, p: PlatformDep, caller: CallerDep,
    revises: Annotated[str | None, Query(max_length=36)] = None,
) -> PlanView:  # fmt: skip
    """File a plan to introduce specified critical equipment (one record per component; JSON
    array or CSV). The review period (30 days) starts today; ``revises`` files a new version."""
    data, source = await read_records(request, p.settings.max_upload_bytes)
    return await run_in_threadpool(app.file, p, caller, data, source, revises)


@router.get("")
def list_plans(p: PlatformDep, caller: CallerDep) -> list[PlanView]:
    """Operators: their own plans; reviewers: their sectors' plans, newest first."""
    return app.plans(p, caller)


@router.get("/reminders")
def reminders(
    p: PlatformDep, caller: CallerDep, within: Annotated[int, Query(ge=0, le=120)] = 7
) -> list[dict[str, Any]]:
    """Reviews whose deadline comes within ``within`` days (or has passed), soonest first."""
    return app.upcoming(p, caller, within)


@router.get("/reminders/sent")
def reminders_sent(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The reminders sent to the caller (a reviewer) before deadlines, newest first."""
    return app.sent_reminders(p, caller)


@router.post("/reminders/{reminder_id}/read", status_code=204)
def reminder_read(reminder_id: str, p: PlatformDep, caller: CallerDep) -> None:
    """Mark one of the caller's reminders read (404 for any other)."""
    app.read_reminder(p, caller, reminder_id)


@router.get("/caseload")
def caseload(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Per sector: reviews under way, overdue, decided by kind, mean days to a decision."""
    return app.caseload_report(p, caller)


@router.get("/shared-vendors")
def shared_vendors(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Vendors named by several operators' current plans, with the counts of operators and
    sectors (cleared analysts)."""
    return app.shared_vendors(p, caller)


@router.get("/{plan_id}")
def get_plan(plan_id: str, p: PlatformDep, caller: CallerDep) -> PlanView:
    """One plan: its records and review; for its reviewers, its risk factors."""
    return app.plan(p, caller, plan_id)


@router.post("/{plan_id}/deadline")
def change_deadline(
    plan_id: str, request: DeadlineRequest, p: PlatformDep, caller: CallerDep
) -> PlanView:
    """Shorten or extend the review period (up to four months from the filing), with a reason."""
    return app.change_deadline(p, caller, plan_id, request.deadline, request.reason)


@router.post("/{plan_id}/decision")
def decide(plan_id: str, request: DecisionRequest, p: PlatformDep, caller: CallerDep) -> PlanView:
    """No objection, a recommendation (with reasons), or an order after a declined one."""
    return app.decide_plan(p, caller, plan_id, request.decision, request.reasons)


@router.post("/{plan_id}/answer")
def answer(plan_id: str, request: AnswerRequest, p: PlatformDep, caller: CallerDep) -> PlanView:
    """The operator accepts or declines a recommendation on its plan."""
    return app.answer(p, caller, plan_id, request.accept, request.reason)
