"""Opinion surveys in the browser: firms answer the surveys of their audience and see the
results once closed; analysts define, close and read them. The pages call the application's
survey functions, as the API does, so the policy, the disclosure guard and the audit are the
same."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from econsec.access.policy import Resource
from econsec.app import surveys as app
from econsec.errors import FieldProblem, InsufficientData, NotFoundError, RecordsRejected
from econsec.sharing.surveys import Answer, Question
from econsec.web.render import Page, checked_form, register, render, require

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
register(
    Page("/portal/surveys", "Surveys", "answer_survey",
         lambda s: Resource("survey", audience=f"sector:{s.sector}"), 40),
    Page("/console/surveys", "Opinion surveys", "manage_intelligence",
         lambda s: Resource("survey"), 100),
)  # fmt: skip
EXAMPLE = [
    {"id": "likelihood", "text": "How likely is economic coercion against your sector in the "
     "next 12 months?", "type": "likert", "scale": 5},
    {"id": "measures", "text": "Which measures have you taken?", "type": "multiple",
     "options": ["second source", "stockpile", "redesign", "none"]},
    {"id": "stock_days", "text": "Days of stock of your most critical input", "type": "numeric",
     "minimum": 0, "maximum": 3650},
]  # fmt: skip


def _answers(form: FormData, questions: tuple[Question, ...]) -> dict[str, Answer]:
    out: dict[str, Answer] = {}
    for q in questions:
        key = f"q-{q.id}"
        if q.type == "multiple":
            values = [str(v) for v in form.getlist(key)]
            if values:
                out[q.id] = values
            continue
        raw = str(form.get(key, "")).strip()
        if not raw:
            continue
        if q.type in ("likert", "numeric"):
            try:
                out[q.id] = int(raw) if q.type == "likert" else float(raw)
            except ValueError:
                out[q.id] = raw  # named as the bad answer by check_answers
        else:
            out[q.id] = raw
    return out


@router.get("/portal/surveys")
def firm_surveys(request: Request) -> Response:
    p, caller = require(request, "/portal/surveys")
    return render(request, p, caller, "portal_surveys.html", surveys=app.list_surveys(p, caller))


def _survey_page(request: Request, survey_id: str, **extra: Any) -> Response:
    p, caller = require(request, "/portal/surveys")
    survey = app.get(p, caller, survey_id)
    results = None
    if survey.status == "closed":
        try:
            results = app.results(p, caller, survey_id)
        except (NotFoundError, InsufficientData):
            results = None  # a firm that did not answer gets no results
    context = {"survey": survey, "results": results, "errors": [], "answered": False, **extra}
    return render(request, p, caller, "survey.html", **context)


@router.get("/portal/surveys/{survey_id}")
def firm_survey(survey_id: str, request: Request) -> Response:
    return _survey_page(request, survey_id)


@router.post("/portal/surveys/{survey_id}")
async def answer(survey_id: str, request: Request) -> Response:
    p, caller = require(request, "/portal/surveys")
    form = await checked_form(request)
    survey = app.get(p, caller, survey_id)
    try:
        app.answer(p, caller, survey_id, _answers(form, survey.questions))
    except RecordsRejected as exc:
        return _survey_page(request, survey_id, errors=list(exc.problems))
    return _survey_page(request, survey_id, answered=True)


@router.get("/console/surveys")
def console_surveys(request: Request, survey: str | None = None) -> Response:
    p, caller = require(request, "/console/surveys")
    results = app.results(p, caller, survey) if survey else None
    return render(request, p, caller, "console_surveys.html", surveys=app.list_surveys(p, caller),
                  results=results, example=json.dumps(EXAMPLE, indent=2, ensure_ascii=False),
                  errors=[])  # fmt: skip


@router.post("/console/surveys")
async def create(request: Request) -> Response:
    p, caller = require(request, "/console/surveys")
    form = await checked_form(request)
    text = str(form.get("questions", ""))
    try:
        try:
            questions = json.loads(text)
        except ValueError as exc:
            raise RecordsRejected([FieldProblem(None, "questions", f"not JSON: {exc}")]) from None
        app.create(p, caller, str(form.get("title", "")), str(form.get("audience", "")),
                   questions)  # fmt: skip
    except RecordsRejected as exc:
        return render(request, p, caller, "console_surveys.html", status=422,
                      surveys=app.list_surveys(p, caller), results=None, example=text,
                      errors=list(exc.problems))  # fmt: skip
    return RedirectResponse("/console/surveys", 303)


@router.post("/console/surveys/{survey_id}/close")
async def close(survey_id: str, request: Request) -> Response:
    p, caller = require(request, "/console/surveys")
    await checked_form(request)
    app.close(p, caller, survey_id)
    return RedirectResponse(f"/console/surveys?survey={survey_id}", 303)
