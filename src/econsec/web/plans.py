"""The equipment review's pages: an operator's plans in the portal (file a plan as CSV, answer a
recommendation), and the reviewers' worklist in the console (deadlines and reminders, each plan
with its risk factors, extend, decide, the caseload)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from econsec.access.policy import Classification, Resource, Subject
from econsec.app import plans as app
from econsec.errors import EconsecError, InputError
from econsec.i18n import N_
from econsec.infrastructure.review import DECISIONS, PLAN_FIELDS, SECTORS
from econsec.web.render import Page, checked_form, locale_of, register, render, require

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Words for the review's codes (statuses, decisions, steps, risk factors), translated where shown.
LABELS = {
    "under_review": N_("under review"),
    "no_objection": N_("no objection"),
    "recommended": N_("recommended"),
    "accepted": N_("recommendation accepted"),
    "declined": N_("recommendation declined"),
    "ordered": N_("ordered"),
    "recommendation": N_("recommendation"),
    "order": N_("order"),
    "filed": N_("filed"),
    "country_of_concern": N_("a country of concern"),
    "coercion_in_force": N_("a country applying coercive measures in force"),
    "foreign_ownership": N_("held mostly from abroad"),
    "foreign_executives": N_("foreign executives"),
    "shared_vendor": N_("a vendor other operators rely on"),
}


def _own(s: Subject) -> Resource:
    return Resource("plan", Classification.CONFIDENTIAL, owner_org=s.org, compartment=s.sector)


def _reviewed(s: Subject) -> Resource:
    sectors = sorted(set(s.clearance.compartments) & set(SECTORS))
    return Resource(
        "plan", Classification.CONFIDENTIAL, compartment=sectors[0] if sectors else None
    )


register(
    Page("/portal/plans", "My equipment plans", "file_plan", _own, 15),
    Page("/console/reviews", "Equipment reviews", "review_plan", _reviewed, 85),
)  # fmt: skip


def _portal(request: Request, status: int = 200, **extra: Any) -> Response:
    p, caller = require(request, "/portal/plans")
    context = {"plans": app.plans(p, caller), "fields": PLAN_FIELDS, "errors": [],
               "filed": None, "sectors": SECTORS, "labels": LABELS, **extra}  # fmt: skip
    return render(request, p, caller, "portal_plans.html", status=status, **context)


@router.get("/portal/plans")
def portal_plans(request: Request) -> Response:
    return _portal(request)


@router.post("/portal/plans")
async def file_plan(request: Request) -> Response:
    """File a plan from a CSV of its components (every bad field of every row listed)."""
    from econsec.errors import RecordsRejected
    from econsec.sharing.records import parse_csv

    p, caller = require(request, "/portal/plans")
    form = await checked_form(request)
    upload = form.get("file")
    data = b"" if upload is None or isinstance(upload, str) else await upload.read(2_000_001)
    name = (
        "plan.csv" if upload is None or isinstance(upload, str) else upload.filename or "plan.csv"
    )
    await form.close()
    try:
        view = app.file(p, caller, parse_csv(data, source=name), name)
    except RecordsRejected as exc:
        return _portal(request, 422, errors=list(exc.problems))
    return _portal(request, filed=view)


@router.post("/portal/plans/{plan_id}/answer")
async def answer(plan_id: str, request: Request) -> Response:
    p, caller = require(request, "/portal/plans")
    form = await checked_form(request)
    app.answer(p, caller, plan_id, form.get("accept") == "yes", str(form.get("reason", ""))[:2000])
    return RedirectResponse("/portal/plans", 303)


@router.get("/console/reviews")
def reviews(request: Request) -> Response:
    """The reviewer's worklist: deadlines coming up and the reminders sent, every plan of the
    reviewer's sectors, the caseload."""
    p, caller = require(request, "/console/reviews")
    return render(request, p, caller, "console_reviews.html", plans=app.plans(p, caller),
                  due=app.upcoming(p, caller), caseload=app.caseload_report(p, caller),
                  sent=app.sent_reminders(p, caller), sectors=SECTORS,
                  labels=LABELS)  # fmt: skip


@router.post("/console/reviews/reminders/{reminder_id}")
async def reminder_read(reminder_id: str, request: Request) -> Response:
    """Mark a reminder read."""
    p, caller = require(request, "/console/reviews")
    await checked_form(request)
    app.read_reminder(p, caller, reminder_id)
    return RedirectResponse("/console/reviews", 303)


def _review(request: Request, plan_id: str, status: int = 200, **extra: Any) -> Response:
    p, caller = require(request, "/console/reviews")
    context = {"plan": app.plan(p, caller, plan_id), "decisions": DECISIONS, "error": None,
               "sectors": SECTORS, "labels": LABELS, "today": p.now().date().isoformat(),
               **extra}  # fmt: skip
    return render(request, p, caller, "console_review.html", status=status, **context)


@router.get("/console/reviews/{plan_id}")
def review(plan_id: str, request: Request) -> Response:
    return _review(request, plan_id)


@router.post("/console/reviews/{plan_id}")
async def act(plan_id: str, request: Request) -> Response:
    """Extend or shorten the period, or decide."""
    p, caller = require(request, "/console/reviews")
    form = await checked_form(request)
    try:
        if form.get("step") == "deadline":
            try:
                day = dt.date.fromisoformat(str(form.get("deadline", "")))
            except ValueError:
                raise InputError("deadline {day}", values={"day": form.get("deadline", "")},
                                 expected="YYYY-MM-DD") from None  # fmt: skip
            app.change_deadline(p, caller, plan_id, day, str(form.get("reason", "")))
        else:
            app.decide_plan(p, caller, plan_id, str(form.get("decision", "")),
                            str(form.get("reasons", "")))  # fmt: skip
    except EconsecError as exc:
        return _review(request, plan_id, 422 if isinstance(exc, InputError) else 409,
                       error=exc.in_language(locale_of(request, caller)))  # fmt: skip
    return RedirectResponse(f"/console/reviews/{plan_id}", 303)
