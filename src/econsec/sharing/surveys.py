"""Opinion surveys of firms: questions, checked answers, and weighted results with bootstrap
confidence intervals that pass the disclosure guard.

Analysts define a survey of Likert (1…scale), single-choice, multiple-choice and numeric
questions for an audience of firms (``all_firms`` or ``sector:CODE``). Each firm answers once
(a new answer replaces the old while the survey is open).

**Weights** (post-stratification): firms are grouped in strata by sector and size class; a
respondent in stratum *h* weighs ``N_h / n_h`` — the audience's firms in the stratum over its
respondents — so that over-represented sectors or sizes do not dominate. Strata without a
respondent are not represented; ``coverage`` says which share of the audience the respondents'
strata hold.

**Estimates**: the weighted mean (Likert, numeric) or the weighted share of respondents that
chose each option, with a 95 % percentile bootstrap interval (SciPy, 2,000 resamples of the
respondents, seeded by the survey, so results are reproducible).

**Disclosure**: each question's answers are one cell for :func:`econsec.sharing.disclosure.check`
— at least ``k`` responding firms, and for numeric answers the dominance and p % rules on the
values. When fewer than ``unanimity_min`` firms all answer alike (every one chose the same
option, or the interval would collapse to a point), each would learn the others' answers: the
question is withheld with rule ``unanimous``. A question that fails is withheld with the rule,
never estimated from fewer firms. What is shown then goes through the release ledger
(:func:`statistics`), against earlier surveys of the same population asking the same question.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from econsec.errors import FieldProblem, RecordsRejected
from econsec.i18n import N_, Message
from econsec.sharing.disclosure import Guard, Verdict, check
from econsec.sharing.ledger import Statistic, statistic

__all__ = [
    "METHOD",
    "QUESTION_TYPES",
    "Answer",
    "MeanResult",
    "OptionShare",
    "Question",
    "QuestionResult",
    "SharesResult",
    "Survey",
    "SurveyResults",
    "WithheldResult",
    "check_answers",
    "parse_questions",
    "results",
    "statistics",
    "weights",
]

QUESTION_TYPES = ("likert", "single", "multiple", "numeric")
SIZES = ("small", "medium", "large")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: One firm's answer to one question: a Likert point, a number, an option or options.
Answer: TypeAlias = int | float | str | list[str]
METHOD = "econsec surveys 1 (post-stratified by sector and size; percentile bootstrap, 2000)"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    type: str
    options: tuple[str, ...] = ()
    scale: int = 5
    minimum: float | None = None
    maximum: float | None = None
    text_ja: str = ""  # the question in Japanese (firms reading Japanese see it)

    def text_in(self, lang: str) -> str:
        """The question in ``lang`` (the text as written when there is no translation)."""
        return self.text_ja if lang == "ja" and self.text_ja else self.text


@dataclass(frozen=True, slots=True)
class Survey:
    """A survey of firms: ``audience`` is ``all_firms`` or ``sector:CODE``; ``status`` open or
    closed; times in ISO 8601."""

    id: str
    title: str
    questions: tuple[Question, ...]
    audience: str
    status: str
    created_at: str
    closed_at: str | None = None
    closes_on: str | None = None  # the last day firms may answer (ISO date), if set


@dataclass(frozen=True, slots=True)
class OptionShare:
    """The weighted share of respondents that chose an option, with its 95 % interval."""

    option: str
    share: float
    ci95: tuple[float, float]


@dataclass(frozen=True, slots=True)
class MeanResult:
    """A Likert or numeric question's weighted mean and its 95 % interval."""

    id: str
    text: str
    type: str
    n_firms: int
    mean: float
    ci95: tuple[float, float]
    status: str = "ok"


@dataclass(frozen=True, slots=True)
class SharesResult:
    """A choice question's weighted share of each option."""

    id: str
    text: str
    type: str
    n_firms: int
    options: tuple[OptionShare, ...]
    status: str = "ok"


@dataclass(frozen=True, slots=True)
class WithheldResult:
    """A question the disclosure guard withheld: its ``rule`` and why."""

    id: str
    text: str
    type: str
    rule: str
    message: str
    status: str = "withheld"


QuestionResult: TypeAlias = MeanResult | SharesResult | WithheldResult


@dataclass(frozen=True, slots=True)
class SurveyResults:
    """A closed survey's results; ``n_firms`` only when at least the guard's k answered."""

    survey_id: str
    title: str
    n_firms: int | None
    coverage: float
    questions: tuple[QuestionResult, ...]
    method: str = METHOD


def parse_questions(items: object) -> tuple[Question, ...]:
    """Questions from JSON, checked.

    Parameters
    ----------
    items : object
        A list of 1 to 100 question objects (``id``, ``text``, ``type``; ``scale`` for likert,
        ``options`` for single and multiple, ``minimum`` and ``maximum`` for numeric;
        optionally ``text_ja``, the question in Japanese).

    Returns
    -------
    tuple of Question

    Raises
    ------
    RecordsRejected
        Naming ``questions[i].field`` for each problem.

    Examples
    --------
    >>> qs = parse_questions([
    ...     {"id": "risk", "text": "Risk?", "type": "likert", "scale": 5},
    ...     {"id": "plan", "text": "Plan?", "type": "single", "options": ["yes", "no"]}])
    >>> [(q.id, q.type, q.options) for q in qs]
    [('risk', 'likert', ()), ('plan', 'single', ('yes', 'no'))]
    >>> parse_questions([{"id": "Q 1", "text": "x", "type": "likert"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    econsec.errors.RecordsRejected: 1 problem: field 'questions[0].id': expected a new id like q1...
    """
    if not isinstance(items, list) or not items or len(items) > 100:
        raise RecordsRejected([FieldProblem(None, "questions", "expected 1 to 100 questions")])
    problems: list[FieldProblem] = []
    out = []
    seen: set[str] = set()
    for n, q in enumerate(items):
        where = f"questions[{n}]"
        if not isinstance(q, Mapping):
            problems.append(FieldProblem(None, where, "expected an object"))
            continue
        bad = [k for k in q if k not in ("id", "text", "text_ja", "type", "options", "scale",
                                          "minimum", "maximum")]  # fmt: skip
        problems += [FieldProblem(None, f"{where}.{k}", "unknown field") for k in bad]
        qid, text, kind = q.get("id"), q.get("text"), q.get("type")
        if not isinstance(qid, str) or not _ID.match(qid) or qid in seen:
            problems.append(FieldProblem(None, f"{where}.id", "expected a new id like q1 "
                                         "(lower-case letters, digits, _)"))  # fmt: skip
        else:
            seen.add(qid)
        if not isinstance(text, str) or not text.strip() or len(text) > 1000:
            problems.append(FieldProblem(None, f"{where}.text", "expected 1 to 1000 characters"))
        text_ja = q.get("text_ja") or ""
        if not isinstance(text_ja, str) or len(text_ja) > 1000:
            problems.append(
                FieldProblem(None, f"{where}.text_ja", "expected up to 1000 characters")
            )
        if kind not in QUESTION_TYPES:
            problems.append(FieldProblem(None, f"{where}.type", "expected one of {types}",
                                         {"types": ", ".join(QUESTION_TYPES)}))  # fmt: skip
            continue
        options = q.get("options") or []
        if kind in ("single", "multiple") and (
            not isinstance(options, list) or not 2 <= len(options) <= 30
            or not all(isinstance(o, str) and o.strip() and len(o) <= 200 for o in options)
            or len(set(options)) != len(options)
        ):  # fmt: skip
            problems.append(
                FieldProblem(None, f"{where}.options", "expected 2 to 30 distinct texts")
            )
            continue
        scale = q.get("scale", 5)
        if kind == "likert" and (not isinstance(scale, int) or not 3 <= scale <= 11):
            problems.append(FieldProblem(None, f"{where}.scale", "expected a whole number 3–11"))
            continue
        lo, hi = q.get("minimum"), q.get("maximum")
        if (kind == "numeric" and any(
            v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)))
            for v in (lo, hi)
        )) or (lo is not None and hi is not None and lo > hi):  # fmt: skip
            problems.append(FieldProblem(None, f"{where}.minimum", "expected numbers, min ≤ max"))
            continue
        if not problems:
            out.append(Question(str(qid), str(text).strip(), kind,
                                tuple(options) if kind in ("single", "multiple") else (),
                                scale if kind == "likert" else 5,
                                lo if kind == "numeric" else None,
                                hi if kind == "numeric" else None,
                                str(text_ja).strip()))  # fmt: skip
    if problems:
        raise RecordsRejected(problems)
    return tuple(out)


def check_answers(questions: Sequence[Question], answers: object) -> dict[str, Answer]:
    """One firm's answers in normal form (unanswered questions left out).

    Parameters
    ----------
    questions : sequence of Question
        The survey's questions.
    answers : object
        Question id → answer.

    Returns
    -------
    dict of str to Answer

    Raises
    ------
    RecordsRejected
        Naming each bad answer by its question id.

    Examples
    --------
    >>> qs = parse_questions([
    ...     {"id": "risk", "text": "Risk?", "type": "likert", "scale": 5},
    ...     {"id": "plan", "text": "Plan?", "type": "single", "options": ["yes", "no"]}])
    >>> check_answers(qs, {"risk": 4, "plan": "yes"})
    {'risk': 4, 'plan': 'yes'}
    >>> check_answers(qs, {"risk": 9})
    Traceback (most recent call last):
    econsec.errors.RecordsRejected: 1 problem: field 'risk': expected a whole number from 1 to 5, got 9
    """
    if not isinstance(answers, Mapping) or not answers:
        raise RecordsRejected([FieldProblem(None, "answers", "expected an object of answers")])
    by_id = {q.id: q for q in questions}
    problems = [FieldProblem(None, k, "no such question") for k in answers if k not in by_id]
    out: dict[str, Answer] = {}
    for qid, value in answers.items():
        q = by_id.get(qid)
        if q is None or value is None:
            continue
        ok = False
        if q.type == "likert":
            ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= q.scale
            expected = Message(N_("a whole number from 1 to {scale}"), {"scale": q.scale})
        elif q.type == "single":
            ok = value in q.options
            expected = Message(N_("one of {choices}"), {"choices": ", ".join(q.options)})
        elif q.type == "multiple":
            ok = isinstance(value, list) and bool(value) and all(v in q.options for v in value)
            value = sorted(set(value)) if ok else value
            expected = Message(N_("a list of: {choices}"), {"choices": ", ".join(q.options)})
        else:
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  and np.isfinite(value) and (q.minimum is None or value >= q.minimum)
                  and (q.maximum is None or value <= q.maximum))  # fmt: skip
            expected = Message(N_("a number from {low} to {high}"),
                               {"low": q.minimum, "high": q.maximum})  # fmt: skip
        if ok:
            out[qid] = value
        else:
            problems.append(FieldProblem(None, qid, "expected {expected}, got {shown}",
                                         {"expected": expected, "shown": repr(value)[:120]}))  # fmt: skip
    if problems:
        raise RecordsRejected(problems)
    return out


def weights(
    respondents: Mapping[str, tuple[str, str]], population: Mapping[str, tuple[str, str]]
) -> tuple[dict[str, float], float]:
    """Post-stratification weights of the respondents against the audience: a respondent in
    stratum h weighs N_h / n_h, normalised to mean 1.

    Parameters
    ----------
    respondents, population : mapping of str to (str, str)
        Firm → (sector, size class), of those who answered and of the whole audience.

    Returns
    -------
    (dict of str to float, float)
        The weights, and the coverage: the share of the audience in the respondents' strata.

    Examples
    --------
    One large firm of one and one small firm of three answered: weights 1 and 3, i.e. 0.5 and
    1.5 normalised.

    >>> audience = {"a": ("C29", "large"), "b": ("C29", "small"), "c": ("C29", "small"),
    ...             "d": ("C29", "small")}
    >>> weights({f: audience[f] for f in ("a", "b")}, audience)
    ({'a': 0.5, 'b': 1.5}, 1.0)

    References
    ----------
    Lohr, S. L. (2022), *Sampling: Design and Analysis*, 3rd ed., section 4.4
    (post-stratification).
    """
    n = Counter(respondents.values())
    big_n = Counter(population.values())
    raw = {f: big_n[h] / n[h] for f, h in respondents.items() if big_n[h]}
    mean = sum(raw.values()) / len(raw) if raw else 1.0
    covered = sum(big_n[h] for h in n) / len(population) if population else 0.0
    return {f: w / mean for f, w in raw.items()}, covered


def _number(answer: Answer) -> float:
    if isinstance(answer, (list, str)):
        raise TypeError(f"not a number: {answer!r}")  # check_answers lets none through
    return float(answer)


def _estimate(
    values: np.ndarray, w: np.ndarray, seed: int
) -> tuple[float, float, float]:  # fmt: skip
    from scipy.stats import bootstrap

    point = float(np.average(values, weights=w))
    if np.ptp(values) == 0:
        return point, point, point

    def stat(v: np.ndarray, ww: np.ndarray, axis: int) -> np.ndarray:
        return np.asarray(np.sum(v * ww, axis=axis) / np.sum(ww, axis=axis))

    res = bootstrap((values, w), stat, paired=True, vectorized=True, n_resamples=2000,
                    method="percentile", confidence_level=0.95,
                    rng=np.random.default_rng(seed))  # fmt: skip
    lo, hi = res.confidence_interval
    return point, float(lo), float(hi)


def results(
    survey_id: str,
    questions: Sequence[Question],
    responses: Mapping[str, Mapping[str, Answer]],
    firm_weights: Mapping[str, float],
    guard: Guard | None = None,
) -> tuple[QuestionResult, ...]:
    """Per question: the weighted estimate with a 95 % percentile bootstrap interval, or
    withheld with the guard's rule.

    Parameters
    ----------
    survey_id : str
        Seeds the bootstrap (results are reproducible).
    questions : sequence of Question
        The survey's questions.
    responses : mapping of str to mapping of str to Answer
        Firm → its answers.
    firm_weights : mapping of str to float
        From :func:`weights`.
    guard : Guard, optional
        The disclosure thresholds.

    Returns
    -------
    tuple of QuestionResult

    Examples
    --------
    Six firms of equal weight rate the risk 1, 2, 3, 4, 5, 1: mean 16 / 6.

    >>> qs = parse_questions([
    ...     {"id": "risk", "text": "Risk?", "type": "likert", "scale": 5},
    ...     {"id": "plan", "text": "Plan?", "type": "single", "options": ["yes", "no"]}])
    >>> answers = {f"f{i}": {"risk": i % 5 + 1, "plan": "yes" if i < 2 else "no"}
    ...            for i in range(6)}
    >>> risk, plan = results("s1", qs, answers, {f: 1.0 for f in answers})
    >>> risk.mean, [(o.option, o.share) for o in plan.options]
    (2.6667, [('yes', 0.3333), ('no', 0.6667)])
    >>> results("s1", qs, dict(list(answers.items())[:4]), {f: 1.0 for f in answers})[0].rule
    'min_firms'

    References
    ----------
    Efron, B. & Tibshirani, R. (1993), *An Introduction to the Bootstrap*, ch. 13.
    """
    seed = int(hashlib.sha256(survey_id.encode()).hexdigest()[:8], 16)
    guard = guard or Guard()
    out: list[QuestionResult] = []
    for q in questions:
        firms = sorted(f for f, a in responses.items() if q.id in a and f in firm_weights)
        contributions = {f: abs(float(_number(responses[f][q.id]))) if q.type == "numeric"
                         else 1.0 for f in firms}  # fmt: skip
        verdict = check(contributions, (), guard)
        if verdict.allowed and len(firms) < guard.unanimity_min and _unanimous(q, responses, firms):
            verdict = Verdict(False, "unanimous", "every respondent answered alike (fewer than "
                              f"{guard.unanimity_min}): each would learn the others' answers")  # fmt: skip
        if not verdict.allowed:
            out.append(WithheldResult(q.id, q.text, q.type, verdict.rule,
                                      f"insufficient data: {verdict.message}"))  # fmt: skip
            continue
        w = np.array([firm_weights[f] for f in firms])
        if q.type in ("likert", "numeric"):
            v = np.array([_number(responses[f][q.id]) for f in firms])
            mean, lo, hi = _estimate(v, w, seed)
            out.append(MeanResult(q.id, q.text, q.type, len(firms), round(mean, 4),
                                  (round(lo, 4), round(hi, 4))))  # fmt: skip
            continue
        shares = []
        for option in q.options:
            share, lo, hi = _estimate(_chose(option, responses, q.id, firms), w, seed)
            shares.append(OptionShare(option, round(share, 4), (round(lo, 4), round(hi, 4))))
        out.append(SharesResult(q.id, q.text, q.type, len(firms), tuple(shares)))
    return tuple(out)


def _chose(
    option: str, responses: Mapping[str, Mapping[str, Answer]], qid: str, firms: Sequence[str]
) -> np.ndarray:
    """1 for each firm that chose ``option``, else 0."""
    answers = (responses[f][qid] for f in firms)
    return np.array([option == a or (isinstance(a, list) and option in a) for a in answers],
                    dtype=float)  # fmt: skip


def _unanimous(
    q: Question, responses: Mapping[str, Mapping[str, Answer]], firms: Sequence[str]
) -> bool:
    """Whether every respondent gave the same answer (its interval would collapse to a point),
    or, for a choice question, every respondent chose one same option."""
    if q.type in ("likert", "numeric"):
        return len({float(_number(responses[f][q.id])) for f in firms}) == 1
    return any(_chose(o, responses, q.id, firms).all() for o in q.options)


def _measure(q: Question) -> str:
    """The ledger's measure of a question: the same question in another survey is the same."""
    spec = "|".join([q.type, q.text, str(q.scale), *q.options, str(q.minimum), str(q.maximum)])
    return "survey:" + hashlib.sha256(spec.encode()).hexdigest()[:16]


def statistics(
    questions: Sequence[Question],
    responses: Mapping[str, Mapping[str, Answer]],
    firm_weights: Mapping[str, float],
    shown: Sequence[QuestionResult],
) -> list[Statistic]:
    """What the ``shown`` results disclose, as the release ledger sees them: per mean, the
    weighted sum of the answers; per option share, the weighted count of firms that chose it
    (the weights are taken as known, the cautious assumption).

    Parameters
    ----------
    questions : sequence of Question
        The survey's questions.
    responses : mapping of str to mapping of str to Answer
        Firm → its answers.
    firm_weights : mapping of str to float
        From :func:`weights`.
    shown : sequence of QuestionResult
        The results to be shown (withheld ones disclose nothing).

    Returns
    -------
    list of Statistic

    Examples
    --------
    >>> qs = parse_questions([{"id": "plan", "text": "Plan?", "type": "single",
    ...                        "options": ["yes", "no"]}])
    >>> answers = {f"f{i}": {"plan": "yes" if i < 2 else "no"} for i in range(6)}
    >>> shown = results("s1", qs, answers, {f: 1.0 for f in answers})
    >>> [(s.measure.split(":")[-1], s.terms[0]) for s in statistics(qs, answers, {}, shown)]
    [('yes', ('f0', 1.0, 1.0)), ('no', ('f0', 1.0, 0.0))]
    """
    by_id = {q.id: q for q in questions}
    out = []
    for r in shown:
        if isinstance(r, WithheldResult):
            continue
        q = by_id[r.id]
        firms = sorted(f for f, a in responses.items() if q.id in a)
        w = {f: firm_weights.get(f, 1.0) for f in firms}
        if q.type in ("likert", "numeric"):
            lo = 1.0 if q.type == "likert" else (q.minimum if q.minimum is not None else -math.inf)
            hi = float(q.scale) if q.type == "likert" else (q.maximum if q.maximum is not None
                                                            else math.inf)  # fmt: skip
            values = {f: float(_number(responses[f][q.id])) for f in firms}
            out.append(statistic(_measure(q), values, w, low=lo, high=hi,
                                 integral=q.type == "likert"))  # fmt: skip
            continue
        for option in q.options:
            chose = dict(zip(firms, _chose(option, responses, q.id, firms).tolist(), strict=True))
            out.append(statistic(f"{_measure(q)}:{option}", chose, w, high=1.0, integral=True))
    return out
