"""An operator's plan to introduce specified critical equipment (or to entrust its maintenance)
and the competent ministry's review of it.

The rules, as this module applies them (to be verified against the Economic Security Promotion
Act's chapter on specified essential infrastructure, its cabinet order and the ministries'
guidance before they are cited as law):

* a designated operator files a plan before it introduces the equipment or outsources its
  maintenance; the review period is :data:`REVIEW_DAYS` (30) days from the filing;
* the reviewer may shorten the period, or extend it — with a reason — to at most four months
  from the filing (:func:`longest_deadline`);
* within the period the reviewer finds no objection, or recommends changes (or that the plan be
  dropped); the operator answers a recommendation by accepting or declining it; only a declined
  recommendation may be followed by an order;
* once the period has ended with no recommendation, the operator may go ahead: a recommendation
  after the deadline is refused.

Each transition returns a new :class:`Review`; nothing is changed in place, so the store keeps
every step and the audit log says who took it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from econsec.errors import Conflict, InputError
from econsec.i18n import N_
from econsec.sharing.findings import Finding
from econsec.sharing.records import Field

__all__ = [
    "DECISIONS",
    "PLAN_FIELDS",
    "REVIEW_DAYS",
    "SECTORS",
    "Review",
    "Risk",
    "Sector",
    "caseload",
    "decide",
    "extend",
    "file_plan",
    "longest_deadline",
    "reminders",
    "respond",
    "review_from_dict",
    "risk_factors",
    "shared_vendor_findings",
    "vendor_key",
]

#: A vendor named in the plans of at least this many operators makes a cross-operator finding.
MIN_OPERATORS = 3

REVIEW_DAYS = 30
MAX_EXTENSION_MONTHS = 4
DECISIONS = ("no_objection", "recommendation", "order")
#: What an operator files: one record per component of the equipment.
PLAN_FIELDS: tuple[Field, ...] = (
    Field("equipment", "text", description="the specified critical equipment"),
    Field("component", "text", description="a component of it"),
    Field("supplier_name", "text", description="who supplies the component"),
    Field("supplier_country", "country", description="where the supplier is established"),
    Field("manufacturing_country", "country", description="where the component is made"),
    Field("maintenance_contractor", "text", required=False,
          description="who maintains it, when the operator entrusts its maintenance"),
    Field("contractor_country", "country", required=False),
    Field("foreign_share", "number", required=False, minimum=0, maximum=1,
          description="the supplier's shares held from abroad"),
    Field("foreign_executives", "int", required=False, minimum=0, maximum=1000,
          description="the supplier's executives who are foreign nationals"),
    Field("introduction_date", "date", description="when the operator means to introduce it"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sector:
    """A sector of specified essential infrastructure and its competent ministry."""

    code: str
    name_en: str
    name_ja: str
    ministry_en: str
    ministry_ja: str

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


@cache
def _sectors() -> dict[str, Sector]:
    raw = yaml.safe_load(resources.files("econsec.infrastructure").joinpath("sectors.yaml")
                         .read_text("utf-8"))  # fmt: skip
    return {code: Sector(code, v["en"], v["ja"], v["ministry_en"], v["ministry_ja"])
            for code, v in raw.items()}  # fmt: skip


SECTORS: Mapping[str, Sector] = _sectors()


@dataclass(frozen=True, slots=True)
class Review:
    """A plan under review: who filed it, when, the deadline now and every step taken
    (``steps``: (day, who, what, reason))."""

    plan_id: str
    operator: str
    sector: str
    filed: dt.date
    deadline: dt.date
    status: str = "under_review"  # no_objection, recommended, accepted, declined, ordered
    steps: tuple[tuple[str, str, str, str], ...] = ()

    def days_left(self, today: dt.date) -> int:
        """Days until the deadline (negative once it has passed)."""
        return (self.deadline - today).days

    def as_dict(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "operator": self.operator, "sector": self.sector,
                "filed": self.filed.isoformat(), "deadline": self.deadline.isoformat(),
                "status": self.status,
                "steps": [{"day": d, "by": b, "what": w, "reason": why}
                          for d, b, w, why in self.steps]}  # fmt: skip


def review_from_dict(data: Mapping[str, Any]) -> Review:
    """A review back from :meth:`Review.as_dict`.

    >>> r = file_plan("p1", "Power Co", "gas", dt.date(2026, 12, 1))
    >>> review_from_dict(r.as_dict()) == r
    True
    """
    return Review(str(data["plan_id"]), str(data["operator"]), str(data["sector"]),
                  dt.date.fromisoformat(data["filed"]), dt.date.fromisoformat(data["deadline"]),
                  str(data["status"]), tuple((s["day"], s["by"], s["what"], s["reason"])
                                             for s in data["steps"]))  # fmt: skip


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def longest_deadline(filed: dt.date) -> dt.date:
    """The latest day an extension may reach: four months from the filing.

    >>> longest_deadline(dt.date(2026, 10, 31))
    datetime.date(2027, 2, 28)
    """
    return _add_months(filed, MAX_EXTENSION_MONTHS)


def file_plan(plan_id: str, operator: str, sector: str, filed: dt.date) -> Review:
    """A new review: the deadline is :data:`REVIEW_DAYS` days after the filing.

    Parameters
    ----------
    plan_id, operator : str
        The plan (a submission's id) and the organisation that filed it.
    sector : str
        One of :data:`SECTORS`.
    filed : date
        The day the ministry received the plan.

    Returns
    -------
    Review

    Examples
    --------
    >>> file_plan("p1", "Power Co", "electricity", dt.date(2026, 12, 1)).deadline
    datetime.date(2026, 12, 31)
    """
    if sector not in SECTORS:
        raise InputError("sector {sector!r}", values={"sector": sector},
                         expected=", ".join(SECTORS))  # fmt: skip
    return Review(plan_id, operator, sector, filed, filed + dt.timedelta(days=REVIEW_DAYS),
                  steps=((filed.isoformat(), operator, "filed", ""),))  # fmt: skip


def _open(r: Review, today: dt.date) -> None:
    if r.status != "under_review":
        raise Conflict(f"the review of plan {r.plan_id} is {r.status}, not under review")
    if today > r.deadline:
        raise Conflict(f"the review period of plan {r.plan_id} ended on {r.deadline}: the "
                       "operator may go ahead")  # fmt: skip


def extend(r: Review, new_deadline: dt.date, reason: str, by: str, today: dt.date) -> Review:
    """Move the deadline: shorter, or longer up to four months from the filing, with a reason.

    Parameters
    ----------
    r : Review
        A review still under way.
    new_deadline : date
        Not before today, not after :func:`longest_deadline`.
    reason : str
        Why (kept with the step).
    by : str
        The reviewer.
    today : date
        The day of the change.

    Returns
    -------
    Review

    Examples
    --------
    >>> r = file_plan("p1", "Power Co", "electricity", dt.date(2026, 12, 1))
    >>> extend(r, dt.date(2027, 3, 1), "the vendor's ownership needs checking", "mr-x",
    ...        dt.date(2026, 12, 20)).deadline
    datetime.date(2027, 3, 1)
    """
    _open(r, today)
    if not reason.strip():
        raise InputError("an extension needs its reason", expected=N_("the reason, in words"))
    latest = longest_deadline(r.filed)
    if not today <= new_deadline <= latest:
        raise InputError("deadline {day}", values={"day": new_deadline.isoformat(), "today":
                         today.isoformat(), "latest": latest.isoformat()},
                         expected=N_("a day from {today} to {latest} (four months from the "
                                     "filing)"))  # fmt: skip
    what = "extended" if new_deadline > r.deadline else "shortened"
    step = (today.isoformat(), by, f"{what} to {new_deadline.isoformat()}", reason.strip())
    return replace(r, deadline=new_deadline, steps=(*r.steps, step))


def decide(r: Review, decision: str, reasons: str, by: str, today: dt.date) -> Review:
    """The reviewer's decision: ``no_objection`` or ``recommendation`` within the period,
    ``order`` only after the operator declined a recommendation. A recommendation or order
    needs its reasons.

    Parameters
    ----------
    r : Review
        The review.
    decision : str
        One of :data:`DECISIONS`.
    reasons : str
        The reasons sent to the operator.
    by : str
        The reviewer.
    today : date
        The day of the decision.

    Returns
    -------
    Review

    Examples
    --------
    >>> r = file_plan("p1", "Power Co", "electricity", dt.date(2026, 12, 1))
    >>> r = decide(r, "recommendation", "replace the controller", "mr-x", dt.date(2026, 12, 10))
    >>> r = respond(r, False, "Power Co", dt.date(2026, 12, 15))
    >>> decide(r, "order", "replace the controller", "mr-x", dt.date(2026, 12, 20)).status
    'ordered'
    """
    if decision not in DECISIONS:
        raise InputError("decision {d!r}", values={"d": decision}, expected=", ".join(DECISIONS))
    if decision != "no_objection" and not reasons.strip():
        raise InputError("a {d} needs its reasons", values={"d": decision},
                         expected=N_("the reasons the operator will read"))  # fmt: skip
    if decision == "order":
        if r.status != "declined":
            raise Conflict(f"an order follows only a declined recommendation (plan {r.plan_id} "
                           f"is {r.status})")  # fmt: skip
        status = "ordered"
    else:
        _open(r, today)
        status = "no_objection" if decision == "no_objection" else "recommended"
    return replace(r, status=status,
                   steps=(*r.steps, (today.isoformat(), by, decision, reasons.strip())))  # fmt: skip


def respond(r: Review, accept: bool, by: str, today: dt.date, reason: str = "") -> Review:
    """The operator's answer to a recommendation.

    Parameters
    ----------
    r : Review
        A review whose status is ``recommended``.
    accept : bool
        Whether the operator follows the recommendation.
    by : str
        The operator's organisation.
    today : date
        The day of the answer.
    reason : str
        Why it declines (optional).

    Returns
    -------
    Review
    """
    if r.status != "recommended":
        raise Conflict(f"plan {r.plan_id} has no recommendation to answer (it is {r.status})")
    status = "accepted" if accept else "declined"
    return replace(r, status=status,
                   steps=(*r.steps, (today.isoformat(), by, status, reason.strip())))  # fmt: skip


def vendor_key(name: object) -> str:
    """A supplier's name as plans are matched on it: lower case, single spaces.

    >>> vendor_key("  ACME   Controls ")
    'acme controls'
    """
    return " ".join(str(name or "").lower().split())


def shared_vendor_findings(
    plans: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]],
    min_operators: int = MIN_OPERATORS,
) -> list[Finding]:
    """The cross-operator mash-up: every vendor that the current plans of at least
    ``min_operators`` operators name, as a ``shared_vendor`` finding — each operator's
    contribution the share of its plan's components the vendor supplies (for the disclosure
    guard), the sectors, and the vendor's country. Findings are CONFIDENTIAL, like the plans,
    in the ``infrastructure`` compartment: for analysts cleared for it; operators only ever see
    what a release lets through.

    Parameters
    ----------
    plans : sequence of (operator, sector, records)
        Each operator's current plan.
    min_operators : int
        The fewest operators a finding needs.

    Returns
    -------
    list of Finding
        Most operators first.

    Examples
    --------
    >>> rec = lambda name: {"component": "relay", "supplier_name": name, "supplier_country": "CHN"}
    >>> plans = [("op1", "electricity", [rec("Acme"), rec("Other")]),
    ...          ("op2", "gas", [rec("ACME ")]), ("op3", "electricity", [rec("acme")])]
    >>> [(f.kind, f.subject, f.n_firms, f.sectors, dict(f.contributions))
    ...  for f in shared_vendor_findings(plans)]
    [('shared_vendor', 'Acme (CHN)', 3, ('electricity', 'gas'), {'op1': 0.5, 'op2': 1.0, 'op3': 1.0})]
    """
    import hashlib
    from collections import Counter

    from econsec.access.policy import Classification

    named: dict[str, dict[str, int]] = {}
    spellings: dict[str, Counter[tuple[str, str]]] = {}
    sectors: dict[str, set[str]] = {}
    for org, sector, records in plans:
        for r in records:
            key = vendor_key(r.get("supplier_name"))
            if not key:
                continue
            named.setdefault(key, {}).setdefault(org, 0)
            named[key][org] += 1
            spellings.setdefault(key, Counter())[
                (str(r.get("supplier_name", "")).strip(), str(r.get("supplier_country", "")))
            ] += 1
            sectors.setdefault(key, set()).add(sector)
    sizes = {org: len(records) for org, _, records in plans}
    out = []
    for key, by_org in named.items():
        if len(by_org) < min_operators:
            continue
        (name, country), _ = spellings[key].most_common(1)[0]
        out.append(Finding(
            id=hashlib.sha256(f"shared_vendor|{key}".encode()).hexdigest()[:16],
            kind="shared_vendor", subject=f"{name} ({country})" if country else name,
            product="", country=country,
            contributions={org: n / sizes[org] for org, n in sorted(by_org.items())},
            sectors=tuple(sorted(sectors[key])), classification=Classification.CONFIDENTIAL,
            compartment="infrastructure", stats={"operators": float(len(by_org))},
        ))  # fmt: skip
    return sorted(out, key=lambda f: (-f.n_firms, f.subject))


@dataclass(frozen=True, slots=True)
class Risk:
    """One risk factor of a plan, its weight and what it rests on (for the reviewer only)."""

    factor: str
    weight: int
    detail: str


def risk_factors(
    records: Sequence[Mapping[str, Any]],
    *,
    concern: frozenset[str],
    incident_countries: frozenset[str],
    vendor_operators: Mapping[str, int],
) -> list[Risk]:
    """The risk factors of a plan from what the platform knows: countries of concern among the
    supplier's, the maker's and the contractor's countries; countries applying coercive measures
    in force (the incident register); foreign ownership or executives; and how many other
    operators rely on the same supplier (the cross-operator mash-up — a count for the reviewer,
    never shown to operators).

    Parameters
    ----------
    records : sequence of mapping
        The plan's checked records (:data:`PLAN_FIELDS`).
    concern : frozenset of str
        Countries of concern (alpha-3).
    incident_countries : frozenset of str
        Countries implementing coercive measures in force.
    vendor_operators : mapping
        :func:`vendor_key` of a supplier → number of other operators whose current plans name it.

    Returns
    -------
    list of Risk
        Heaviest first.

    Examples
    --------
    >>> plan = [{"component": "controller", "supplier_name": "Acme", "supplier_country": "CHN",
    ...          "manufacturing_country": "CHN", "foreign_share": 0.6}]
    >>> [(r.factor, r.weight) for r in risk_factors(plan, concern=frozenset({"CHN"}),
    ...      incident_countries=frozenset({"CHN"}), vendor_operators={"acme": 4})]
    [('country_of_concern', 3), ('coercion_in_force', 2), ('shared_vendor', 2), ('foreign_ownership', 1)]
    """
    found: dict[str, Risk] = {}

    def add(factor: str, weight: int, detail: str) -> None:
        """The heaviest weight of the factor, with every component it was seen on."""
        if factor in found:
            known = found[factor]
            details = (
                known.detail if detail in known.detail.split("; ") else f"{known.detail}; {detail}"
            )
            found[factor] = Risk(factor, max(known.weight, weight), details)
        else:
            found[factor] = Risk(factor, weight, detail)

    for rec in records:
        part = str(rec.get("component", ""))
        countries = {rec.get(k) for k in ("supplier_country", "manufacturing_country",
                                          "contractor_country")} - {None, ""}  # fmt: skip
        if bad := sorted(str(c) for c in countries if c in concern):
            add("country_of_concern", 3, f"{part}: {', '.join(bad)}")
        if coercing := sorted(str(c) for c in countries if c in incident_countries):
            add("coercion_in_force", 2, f"{part}: {', '.join(coercing)}")
        share = rec.get("foreign_share")
        if isinstance(share, (int, float)) and share >= 0.5:
            add("foreign_ownership", 1, f"{part}: {share:.0%} held from abroad")
        if (rec.get("foreign_executives") or 0) > 0:
            add("foreign_executives", 1, f"{part}: {rec['foreign_executives']} foreign executives")
        others = vendor_operators.get(vendor_key(rec.get("supplier_name")), 0)
        if others >= 3:
            add("shared_vendor", 1 + others // 4, f"{part}: {others} other operators")
    return sorted(found.values(), key=lambda r: (-r.weight, r.factor))


def reminders(reviews: Sequence[Review], today: dt.date, within: int = 7) -> list[Review]:
    """Reviews under way whose deadline comes within ``within`` days (or has passed), soonest
    first.

    >>> rs = [file_plan(f"p{d}", "Op", "gas", dt.date(2026, 11, d)) for d in (1, 10, 20)]
    >>> [r.plan_id for r in reminders(rs, dt.date(2026, 12, 5))]
    ['p1', 'p10']
    """
    due = [r for r in reviews if r.status == "under_review" and r.days_left(today) <= within]
    return sorted(due, key=lambda r: r.deadline)


def caseload(reviews: Sequence[Review], today: dt.date) -> list[dict[str, Any]]:
    """Per sector: reviews under way, overdue, decided by decision, and the mean days a
    decided review took (from filing to its first decision).

    >>> r = decide(file_plan("p1", "Op", "gas", dt.date(2026, 11, 1)), "no_objection", "",
    ...            "x", dt.date(2026, 11, 11))
    >>> caseload([r], dt.date(2026, 12, 1))[0]["mean_days_to_decision"]
    10.0
    """
    out = []
    for sector in sorted({r.sector for r in reviews}):
        mine = [r for r in reviews if r.sector == sector]
        decided_days = [
            (dt.date.fromisoformat(next(d for d, _, w, _ in r.steps if w in DECISIONS)) - r.filed).days
            for r in mine if r.status != "under_review"
        ]  # fmt: skip
        out.append({
            "sector": sector,
            "under_review": sum(r.status == "under_review" for r in mine),
            "overdue": sum(r.status == "under_review" and r.days_left(today) < 0 for r in mine),
            **{s: sum(r.status == s for r in mine)
               for s in ("no_objection", "recommended", "accepted", "declined", "ordered")},
            "mean_days_to_decision": (round(sum(decided_days) / len(decided_days), 1)
                                      if decided_days else None),
        })  # fmt: skip
    return out
