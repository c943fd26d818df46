"""Opinion surveys: analysts define them for an audience of firms, firms answer, and the
weighted results — through the disclosure guard — go back to analysts and to the firms that
answered, once the survey is closed (so that no two releases differ by a few firms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from econsec.access.policy import Classification, Resource
from econsec.errors import AccessDenied, NotFoundError
from econsec.service.deps import CallerDep, PlatformDep
from econsec.service.platform import Platform
from econsec.sharing import surveys as sv
from econsec.storage import intelligence as intel

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])
_NOT_FOUND = "no survey with this id"
_AUDIENCE = r"^(all_firms|sector:[A-Za-z0-9_.-]{1,30})$"


class SurveyRequest(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    audience: Annotated[str, Field(pattern=_AUDIENCE)]
    questions: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=100)]


class Answers(BaseModel):
    answers: dict[str, Any]


def _resource(survey: dict[str, Any], participants: frozenset[str] = frozenset()) -> Resource:
    return Resource("survey", Classification.SHARED, audience=survey["audience"],
                    participants=participants)  # fmt: skip


def _survey(p: Platform, caller: CallerDep, survey_id: str, action: str) -> dict[str, Any]:
    """The survey if the caller may ``action`` it, else 404 alike for missing (audited)."""
    s = caller.subject
    try:
        with p.read() as conn:
            survey = intel.get_survey(conn, survey_id[:36])
            participants = intel.participants(conn, survey["id"])
        p.authorise(s, action, _resource(survey, participants), f"survey/{survey['id']}")
    except (NotFoundError, AccessDenied):
        p.audit(s.user, action, f"survey/{survey_id[:36]}", False, "not found or not allowed")
        raise HTTPException(404, _NOT_FOUND) from None
    return survey


@router.post("", status_code=201)
def create(request: SurveyRequest, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Define a survey (government analysts). Question types: likert (``scale``), single and
    multiple (``options``), numeric (``minimum``, ``maximum``)."""
    p.authorise(caller.subject, "manage_intelligence", Resource("survey"), "surveys (create)")
    questions = [q.as_dict() for q in sv.parse_questions(request.questions)]
    with p.write() as conn:
        survey_id = intel.create_survey(
            conn, request.title, questions, request.audience, caller.account.user_id
        )
        return intel.get_survey(conn, survey_id)


@router.get("")
def list_surveys(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Surveys you may answer (firms: your audience) or all (government analysts)."""
    s = caller.subject
    government = s.org_kind == "government"
    own = Resource("survey", Classification.SHARED, audience=f"sector:{s.sector}")
    p.authorise(s, "manage_intelligence" if government else "answer_survey", own, "surveys")
    with p.read() as conn:
        surveys = intel.list_surveys(conn)
    if government:
        return surveys
    return [x for x in surveys if x["audience"] in ("all_firms", f"sector:{s.sector}")]


@router.get("/{survey_id}")
def get(survey_id: str, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    s = caller.subject
    action = "manage_intelligence" if s.org_kind == "government" else "answer_survey"
    return _survey(p, caller, survey_id, action)


@router.post("/{survey_id}/responses", status_code=201)
def answer(survey_id: str, body: Answers, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Your firm's answers (question id → answer); a new answer replaces the old one while
    the survey is open."""
    survey = _survey(p, caller, survey_id, "answer_survey")
    if survey["status"] != "open":
        raise HTTPException(409, "the survey is closed")
    questions = sv.parse_questions(survey["questions"])
    clean = sv.check_answers(questions, body.answers)
    with p.write() as conn:
        intel.put_response(conn, p.ring, survey["id"], caller.subject.org, clean)
    return {"survey_id": survey["id"], "answers": clean}


@router.post("/{survey_id}/close")
def close(survey_id: str, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    survey = _survey(p, caller, survey_id, "manage_intelligence")
    with p.write() as conn:
        intel.close_survey(conn, survey["id"])
        return intel.get_survey(conn, survey["id"])


@router.get("/{survey_id}/results")
def results(survey_id: str, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Weighted results with 95 % bootstrap intervals, per question, or ``withheld`` with the
    disclosure rule; after the survey is closed, for analysts and the firms that answered."""
    survey = _survey(p, caller, survey_id, "read_survey_results")
    if survey["status"] != "closed":
        raise HTTPException(409, "insufficient data: results are given once the survey closes")
    with p.read() as conn:
        answers = intel.responses(conn, p.ring, survey["id"])
        strata = intel.firm_strata(conn)
    audience = survey["audience"]
    population = {
        f: h for f, h in strata.items() if audience == "all_firms" or audience == f"sector:{h[0]}"
    }
    respondents = {f: population[f] for f in answers if f in population}
    weights, coverage = sv.weights(respondents, population)
    questions = sv.parse_questions(survey["questions"])
    return {
        "survey_id": survey["id"],
        "title": survey["title"],
        "n_firms": len(respondents) if len(respondents) >= p.settings.guard.min_firms else None,
        "coverage": round(coverage, 4),
        "questions": sv.results(survey["id"], questions, answers, weights, p.settings.guard),
        "method": sv.METHOD,
    }
