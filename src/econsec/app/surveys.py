"""Opinion surveys: analysts define them for an audience of firms, firms answer, and the
weighted results — through the disclosure guard — go back to analysts and to the firms that
answered, once the survey is closed (so that no two releases differ by a few firms)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from econsec.access.policy import Classification, Resource
from econsec.app import ledger
from econsec.app.platform import Caller, Platform
from econsec.errors import (
    AccessDenied,
    Conflict,
    FieldProblem,
    InsufficientData,
    NotFoundError,
    RecordsRejected,
)
from econsec.sharing import surveys as sv
from econsec.sharing.ledger import Statistic
from econsec.sharing.surveys import Answer, Survey, SurveyResults
from econsec.storage import intelligence as intel
from econsec.storage import platform as store

__all__ = [
    "AUDIENCE",
    "Answers",
    "answer",
    "close",
    "create",
    "get",
    "list_surveys",
    "results",
]

#: A survey's audience: every firm, or one sector's.
AUDIENCE = r"^(all_firms|sector:[A-Za-z0-9_.-]{1,30})$"
_NOT_FOUND = "no survey with this id"


@dataclass(frozen=True, slots=True)
class Answers:
    """A firm's stored answers (question id → answer)."""

    survey_id: str
    answers: dict[str, Answer]


def _resource(survey: Survey, participants: frozenset[str] = frozenset()) -> Resource:
    return Resource("survey", Classification.SHARED, audience=survey.audience,
                    participants=participants)  # fmt: skip


def _survey(p: Platform, caller: Caller, survey_id: str, action: str) -> Survey:
    """The survey if the caller may ``action`` it, else :class:`NotFoundError` alike for missing
    and not allowed (audited)."""
    s = caller.subject
    try:
        with p.read() as conn:
            survey = intel.get_survey(conn, survey_id[:36])
            participants = intel.participants(conn, survey.id)
        p.authorise(s, action, _resource(survey, participants), f"survey/{survey.id}")
    except (NotFoundError, AccessDenied):
        p.audit(s.user, action, f"survey/{survey_id[:36]}", False, "not found or not allowed")
        raise NotFoundError(_NOT_FOUND) from None
    return survey


def _reader_action(caller: Caller) -> str:
    return "manage_intelligence" if caller.subject.org_kind == "government" else "answer_survey"


def create(
    p: Platform, caller: Caller, title: str, audience: str, questions: object,
    closes_on: str | None = None,
) -> Survey:  # fmt: skip
    """Define a survey (government analysts). Question types: likert (``scale``), single and
    multiple (``options``), numeric (``minimum``, ``maximum``); ``closes_on`` the last day
    firms may answer (ISO date, today or later)."""
    p.authorise(caller.subject, "manage_intelligence", Resource("survey"), "surveys (create)")
    problems = []
    if closes_on:
        try:
            if dt.date.fromisoformat(closes_on) < p.now().date():
                problems.append(FieldProblem(None, "closes_on", "expected today or a later day"))
        except ValueError:
            problems.append(FieldProblem(None, "closes_on", "expected a date YYYY-MM-DD"))
    if not title.strip() or len(title) > 300:
        problems.append(FieldProblem(None, "title", "expected 1 to 300 characters"))
    if not re.match(AUDIENCE, audience):
        problems.append(FieldProblem(None, "audience", "expected all_firms or sector:CODE"))
    if problems:
        raise RecordsRejected(problems)
    parsed = sv.parse_questions(questions)
    with p.write() as conn:
        survey_id = intel.create_survey(conn, title.strip(), parsed, audience,
                                        caller.account.user_id, closes_on or None)  # fmt: skip
        return intel.get_survey(conn, survey_id)


def list_surveys(p: Platform, caller: Caller) -> list[Survey]:
    """Surveys the caller may answer (firms: their audience) or all (government analysts)."""
    s = caller.subject
    own = Resource("survey", Classification.SHARED, audience=f"sector:{s.sector}")
    p.authorise(s, _reader_action(caller), own, "surveys")
    with p.read() as conn:
        surveys = intel.list_surveys(conn)
    if s.org_kind == "government":
        return surveys
    return [x for x in surveys if x.audience in ("all_firms", f"sector:{s.sector}")]


def get(p: Platform, caller: Caller, survey_id: str) -> Survey:
    """One survey the caller may answer or manage."""
    return _survey(p, caller, survey_id, _reader_action(caller))


def answer(p: Platform, caller: Caller, survey_id: str, answers: object) -> Answers:
    """The caller's firm's answers (question id → answer); a new answer replaces the old one
    while the survey is open."""
    survey = _survey(p, caller, survey_id, "answer_survey")
    if survey.status != "open":
        raise Conflict("the survey is closed")
    if survey.closes_on and p.now().date() > dt.date.fromisoformat(survey.closes_on):
        raise Conflict(f"the survey took answers until {survey.closes_on}")
    clean = sv.check_answers(survey.questions, answers)
    with p.write() as conn:
        intel.put_response(conn, p.ring, survey.id, caller.subject.org, clean)
    return Answers(survey.id, clean)


def close(p: Platform, caller: Caller, survey_id: str) -> Survey:
    """Close a survey: no more answers; its results are computed, audited and kept as
    published."""
    survey = _survey(p, caller, survey_id, "manage_intelligence")
    with p.write() as conn:
        intel.close_survey(conn, survey.id)
        closed = intel.get_survey(conn, survey.id)
    _publish(p, closed, caller.subject.user)
    return closed


def results(p: Platform, caller: Caller, survey_id: str) -> SurveyResults:
    """Weighted results with 95 % bootstrap intervals, per question, or withheld with the
    disclosure rule, as published when the survey closed; for analysts and the firms that
    answered."""
    survey = _survey(p, caller, survey_id, "read_survey_results")
    if survey.status != "closed":
        raise InsufficientData("insufficient data: results are given once the survey closes")
    with p.read() as conn:
        kept = intel.get_results(conn, survey.id)
    return kept or _publish(p, survey, caller.subject.user)


def _publish(p: Platform, survey: Survey, user: str) -> SurveyResults:
    """Compute a closed survey's results, let each shown question through the release ledger
    (against every earlier disclosure, earlier surveys of the same population included) and
    keep them; a question the ledger refuses is withheld with its rule."""
    with p.read() as conn:
        answers = intel.responses(conn, p.ring, survey.id)
        strata = intel.firm_strata(conn)
    audience = survey.audience
    population = {
        f: h for f, h in strata.items() if audience == "all_firms" or audience == f"sector:{h[0]}"
    }
    respondents = {f: population[f] for f in answers if f in population}
    weights, coverage = sv.weights(respondents, population)
    answers = {f: a for f, a in answers.items() if f in weights}
    computed = sv.results(survey.id, survey.questions, answers, weights, p.settings.guard)
    label = f"survey/{survey.id}"
    with p.write() as conn:
        ledger.lock(conn)
        kept = intel.get_results(conn, survey.id)
        if kept is not None:  # another request published them meanwhile
            return kept
        shown: list[sv.QuestionResult] = []
        admitted: list[Statistic] = []
        for r in computed:
            stats = sv.statistics(survey.questions, answers, weights, [r])
            verdict = ledger.admit(p, conn, [*admitted, *stats])
            if verdict.allowed:
                shown.append(r)
                admitted += stats
            else:
                shown.append(sv.WithheldResult(r.id, r.text, r.type, verdict.rule,
                                               f"insufficient data: {verdict.message}"))  # fmt: skip
        enough = len(respondents) >= p.settings.guard.min_firms
        out = SurveyResults(survey.id, survey.title, len(respondents) if enough else None,
                            round(coverage, 4), tuple(shown))  # fmt: skip
        intel.put_results(conn, out)
        ledger.record(p, conn, user, "survey", label, admitted,
                      {"n_firms": out.n_firms, "questions": [q.id for q in shown
                                                             if q.status == "ok"]})  # fmt: skip
        store.append_audit(conn, p.ring, user, "release", label, True,
                           f"{sum(q.status == 'ok' for q in shown)} questions shown")  # fmt: skip
    return out
