"""Opinion surveys in the browser: firms answer the surveys of their audience and see the
results once closed; analysts define, close and read them. The pages call the application's
survey functions, as the API does, so the policy, the disclosure guard and the audit are the
same."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from econsec.access.policy import Resource
from econsec.app import surveys as app
from econsec.errors import FieldProblem, InsufficientData, NotFoundError, RecordsRejected
from econsec.sharing.surveys import QUESTION_TYPES, Answer, Question, parse_questions
from econsec.web.render import Page, checked_form, register, render, require

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
register(
    Page("/portal/surveys", "Surveys", "answer_survey",
         lambda s: Resource("survey", audience=f"sector:{s.sector}"), 40),
    Page("/console/surveys", "Opinion surveys", "manage_intelligence",
         lambda s: Resource("survey"), 100),
)  # fmt: skip
EXAMPLE: list[dict[str, Any]] = [
    {"id": "likelihood", "text": "How likely is economic coercion against your sector in the "
     "next 12 months?", "text_ja": "今後12か月以内に、貴社の業界に対する経済的威圧はどの程度"
     "起こりそうですか。", "type": "likert", "scale": 5},
    {"id": "measures", "text": "Which measures have you taken?",
     "text_ja": "どの対策を講じていますか。", "type": "multiple",
     "options": ["second source", "stockpile", "redesign", "none"]},
    {"id": "stock_days", "text": "Days of stock of your most critical input",
     "text_ja": "最も重要な投入物の在庫日数", "type": "numeric", "minimum": 0, "maximum": 3650},
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


#: Question fields of the builder form, ``q-<n>-<field>``.
BUILDER_FIELDS = ("id", "text", "text_ja", "type", "options", "scale", "minimum", "maximum")


def _blocks(form: FormData | None) -> list[dict[str, str]]:
    """The builder's question blocks as typed (the example when the form is new)."""
    if form is None:
        return [{"id": q["id"], "text": q["text"], "text_ja": q.get("text_ja", ""),
                 "type": q["type"], "options": "\n".join(q.get("options", [])),
                 "scale": str(q.get("scale", "")), "minimum": str(q.get("minimum", "")),
                 "maximum": str(q.get("maximum", ""))} for q in EXAMPLE]  # fmt: skip
    blocks = []
    for n in range(100):
        block = {f: str(form.get(f"q-{n}-{f}", "")).strip() for f in BUILDER_FIELDS}
        if any(block[f] for f in ("id", "text", "text_ja", "options")):
            blocks.append(block)
    return blocks


def _number(text: str) -> int | float | str | None:
    if not text:
        return None
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text  # named as the bad field by parse_questions


def _questions(blocks: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Question objects (as the API takes them) from the builder's blocks."""
    out = []
    for n, b in enumerate(blocks):
        q: dict[str, Any] = {"id": b["id"] or f"q{n + 1}", "text": b["text"], "type": b["type"]}
        if b["text_ja"]:
            q["text_ja"] = b["text_ja"]
        if b["type"] in ("single", "multiple"):
            q["options"] = [o.strip() for o in b["options"].splitlines() if o.strip()]
        if b["type"] == "likert" and b["scale"]:
            q["scale"] = _number(b["scale"])
        if b["type"] == "numeric":
            q |= {k: _number(b[k]) for k in ("minimum", "maximum") if b[k]}
        out.append(q)
    return out


def _builder(request: Request, status: int = 200, **extra: Any) -> Response:
    p, caller = require(request, "/console/surveys")
    blocks = extra.pop("blocks", None) or _blocks(None)
    context = {"surveys": app.list_surveys(p, caller), "results": None, "errors": [],
               "blocks": [*blocks, dict.fromkeys(BUILDER_FIELDS, "")], "types": QUESTION_TYPES,
               "draft": {"title": "", "audience": "all_firms", "closes_on": ""},
               "preview": None, **extra}  # fmt: skip
    return render(request, p, caller, "console_surveys.html", status=status, **context)


@router.get("/console/surveys")
def console_surveys(request: Request, survey: str | None = None) -> Response:
    p, caller = require(request, "/console/surveys")
    return _builder(request, results=app.results(p, caller, survey) if survey else None)


@router.post("/console/surveys")
async def create(request: Request) -> Response:
    """The survey builder: add a question, preview the survey as firms will see it (in both
    languages), or send it; every problem is named by question number and field."""
    p, caller = require(request, "/console/surveys")
    form = await checked_form(request)
    blocks = _blocks(form)
    draft = {k: str(form.get(k, "")).strip()[:300] for k in ("title", "audience", "closes_on")}
    action = str(form.get("action", "send"))
    if action == "add":
        return _builder(request, blocks=blocks, draft=draft)
    questions = _questions(blocks)
    try:
        parsed = parse_questions(questions)
        if action == "preview":
            return _builder(request, blocks=blocks, draft=draft, preview=parsed)
        app.create(p, caller, draft["title"], draft["audience"], questions,
                   draft["closes_on"] or None)  # fmt: skip
    except RecordsRejected as exc:
        problems = [FieldProblem(pr.row, _field_label(pr.field), pr.message)
                    for pr in exc.problems]  # fmt: skip
        return _builder(request, 422, blocks=blocks, draft=draft, errors=problems)
    return RedirectResponse("/console/surveys", 303)


def _field_label(field: str) -> str:
    """``questions[2].options`` as the builder shows it: question 3, options."""
    head, _, rest = field.partition("].")
    if head.startswith("questions[") and head[10:].isdigit():
        return f"question {int(head[10:]) + 1}, {rest}"
    return field


@router.post("/console/surveys/{survey_id}/close")
async def close(survey_id: str, request: Request) -> Response:
    p, caller = require(request, "/console/surveys")
    await checked_form(request)
    app.close(p, caller, survey_id)
    return RedirectResponse(f"/console/surveys?survey={survey_id}", 303)
