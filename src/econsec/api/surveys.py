"""Opinion surveys: analysts define them for an audience of firms, firms answer, and the
weighted results — through the disclosure guard — go back to analysts and to the firms that
answered, once the survey is closed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.app import surveys as app
from econsec.app.surveys import AUDIENCE, Answers
from econsec.sharing.surveys import QUESTION_TYPES, Survey, SurveyResults

__all__ = ["AnswersRequest", "SurveyRequest", "router"]

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"], responses=RESPONSES)


#: The shape of a question as the server checks it (:func:`econsec.sharing.surveys.
#: parse_questions`, which names each problem as ``questions[i].field``), for the document.
QUESTION_SCHEMA = {
    "type": "object",
    "required": ["id", "text", "type"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"},
        "text": {"type": "string", "minLength": 1, "maxLength": 1000},
        "text_ja": {"type": "string", "maxLength": 1000},
        "type": {"type": "string", "enum": list(QUESTION_TYPES)},
        "options": {"type": "array", "minItems": 2, "maxItems": 30, "uniqueItems": True,
                    "items": {"type": "string", "minLength": 1, "maxLength": 200}},
        "scale": {"type": "integer", "minimum": 3, "maximum": 11},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
    },
}  # fmt: skip


class SurveyRequest(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    audience: Annotated[str, Field(pattern=AUDIENCE)]
    questions: Annotated[
        list[dict[str, Any]],
        Field(min_length=1, max_length=100, json_schema_extra={"items": QUESTION_SCHEMA}),
    ]
    closes_on: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None


class AnswersRequest(BaseModel):
    answers: dict[str, Any]


@router.post("", status_code=201)
def create(request: SurveyRequest, p: PlatformDep, caller: CallerDep) -> Survey:
    """Define a survey (government analysts). Question types: likert (``scale``), single and
    multiple (``options``), numeric (``minimum``, ``maximum``)."""
    return app.create(p, caller, request.title, request.audience, request.questions,
                      request.closes_on)  # fmt: skip


@router.get("")
def list_surveys(p: PlatformDep, caller: CallerDep) -> list[Survey]:
    """Surveys you may answer (firms: your audience) or all (government analysts)."""
    return app.list_surveys(p, caller)


@router.get("/{survey_id}")
def get(survey_id: str, p: PlatformDep, caller: CallerDep) -> Survey:
    """One survey."""
    return app.get(p, caller, survey_id)


@router.post("/{survey_id}/responses", status_code=201)
def answer(survey_id: str, body: AnswersRequest, p: PlatformDep, caller: CallerDep) -> Answers:
    """Your firm's answers (question id → answer); a new answer replaces the old one while
    the survey is open."""
    return app.answer(p, caller, survey_id, body.answers)


@router.post("/{survey_id}/close")
def close(survey_id: str, p: PlatformDep, caller: CallerDep) -> Survey:
    """Close a survey: no more answers; its results can be read."""
    return app.close(p, caller, survey_id)


@router.get("/{survey_id}/results")
def results(survey_id: str, p: PlatformDep, caller: CallerDep) -> SurveyResults:
    """Weighted results with 95 % bootstrap intervals, per question, or ``withheld`` with the
    disclosure rule; after the survey is closed, for analysts and the firms that answered."""
    return app.results(p, caller, survey_id)
