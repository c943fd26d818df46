"""The equipment review's rules: the 30-day period, extensions up to four months with reasons,
the order of decisions, the risk factors a reviewer sees, reminders and the caseload."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.errors import Conflict, InputError
from econsec.infrastructure.review import (
    PLAN_FIELDS,
    SECTORS,
    caseload,
    decide,
    extend,
    file_plan,
    longest_deadline,
    reminders,
    respond,
    risk_factors,
)
from econsec.sharing.records import check

FILED = dt.date(2026, 12, 1)


def test_the_fifteen_sectors_are_named_in_both_languages() -> None:
    assert len(SECTORS) == 15 and SECTORS["ports"].name("ja") == "港湾運送"
    assert SECTORS["finance"].ministry_en == "Financial Services Agency"


def test_the_period_and_its_extension() -> None:
    r = file_plan("p1", "Power Co", "electricity", FILED)
    assert r.deadline == dt.date(2026, 12, 31) and r.days_left(FILED) == 30
    assert longest_deadline(FILED) == dt.date(2027, 4, 1)
    longer = extend(r, dt.date(2027, 4, 1), "ownership unclear", "reviewer", dt.date(2026, 12, 20))
    assert (
        longer.deadline == dt.date(2027, 4, 1) and longer.steps[-1][2] == "extended to 2027-04-01"
    )
    with pytest.raises(InputError, match=r"expected a day from 2026-12-20 to 2027-04-01"):
        extend(r, dt.date(2027, 4, 2), "more time", "reviewer", dt.date(2026, 12, 20))
    with pytest.raises(InputError, match="needs its reason"):
        extend(r, dt.date(2027, 1, 20), "  ", "reviewer", dt.date(2026, 12, 20))
    shorter = extend(r, dt.date(2026, 12, 15), "urgent introduction", "reviewer", FILED)
    assert shorter.steps[-1][2] == "shortened to 2026-12-15"
    with pytest.raises(Conflict, match="ended on 2026-12-31: the operator may go ahead"):
        extend(r, dt.date(2027, 1, 20), "too late", "reviewer", dt.date(2027, 1, 2))
    with pytest.raises(InputError, match="sector 'space'"):
        file_plan("p2", "Op", "space", FILED)


def test_decisions_follow_the_act_s_order() -> None:
    r = file_plan("p1", "Power Co", "electricity", FILED)
    with pytest.raises(Conflict, match="an order follows only a declined recommendation"):
        decide(r, "order", "drop the vendor", "reviewer", FILED)
    with pytest.raises(InputError, match="a recommendation needs its reasons"):
        decide(r, "recommendation", "", "reviewer", FILED)
    with pytest.raises(Conflict, match="the operator may go ahead"):
        decide(r, "recommendation", "drop it", "reviewer", dt.date(2027, 1, 1))
    recommended = decide(r, "recommendation", "drop the vendor", "reviewer", dt.date(2026, 12, 9))
    with pytest.raises(Conflict, match="not under review"):
        decide(recommended, "no_objection", "", "reviewer", dt.date(2026, 12, 10))
    accepted = respond(recommended, True, "Power Co", dt.date(2026, 12, 12))
    assert accepted.status == "accepted"
    with pytest.raises(Conflict, match="an order follows only a declined recommendation"):
        decide(accepted, "order", "drop the vendor", "reviewer", dt.date(2026, 12, 20))
    declined = respond(recommended, False, "Power Co", dt.date(2026, 12, 12), "no alternative")
    ordered = decide(declined, "order", "drop the vendor", "reviewer", dt.date(2027, 2, 1))
    assert ordered.status == "ordered"
    assert [w for _, _, w, _ in ordered.steps] == ["filed", "recommendation", "declined", "order"]
    with pytest.raises(Conflict, match="no recommendation to answer"):
        respond(r, True, "Power Co", FILED)


def test_plans_are_checked_like_every_submission() -> None:
    good = {"equipment": "SCADA", "component": "controller", "supplier_name": "Acme",
            "supplier_country": "China", "manufacturing_country": "CN",
            "introduction_date": "2027-04-01", "foreign_share": "0.6"}  # fmt: skip
    (clean,) = check(PLAN_FIELDS, [good])
    assert clean["supplier_country"] == "CHN" and clean["foreign_share"] == 0.6
    with pytest.raises(Exception, match="foreign_share"):
        check(PLAN_FIELDS, [good | {"foreign_share": "1.5"}])


def test_risk_factors_for_the_reviewer() -> None:
    plan = [{"component": "controller", "supplier_name": "Acme ", "supplier_country": "CHN",
             "manufacturing_country": "VNM", "foreign_executives": 2},
            {"component": "router", "supplier_name": "Net", "supplier_country": "USA",
             "manufacturing_country": "RUS", "foreign_share": 0.3}]  # fmt: skip
    risks = risk_factors(plan, concern=frozenset({"CHN", "RUS"}),
                         incident_countries=frozenset({"RUS"}),
                         vendor_operators={"acme": 8, "net": 1})  # fmt: skip
    assert [(r.factor, r.weight) for r in risks] == [
        ("country_of_concern", 3), ("shared_vendor", 3), ("coercion_in_force", 2),
        ("foreign_executives", 1)]  # fmt: skip
    assert risks[1].detail == "controller: 8 other operators"
    assert risk_factors([], concern=frozenset(), incident_countries=frozenset(),
                        vendor_operators={}) == []  # fmt: skip


def test_reminders_and_caseload() -> None:
    reviews = [file_plan(f"p{d}", "Op", "gas" if d < 15 else "water", dt.date(2026, 11, d))
               for d in (1, 5, 10, 20)]  # fmt: skip
    today = dt.date(2026, 12, 4)
    assert [r.plan_id for r in reminders(reviews, today)] == ["p1", "p5", "p10"]
    decided = [decide(reviews[0], "no_objection", "", "x", dt.date(2026, 11, 20)), *reviews[1:]]
    load = {row["sector"]: row for row in caseload(decided, dt.date(2026, 12, 6))}
    assert load["gas"]["under_review"] == 2 and load["gas"]["overdue"] == 1
    assert load["gas"]["no_objection"] == 1 and load["gas"]["mean_days_to_decision"] == 19.0
    assert load["water"]["mean_days_to_decision"] is None


@given(
    st.lists(st.integers(-40, 160), max_size=6),
    st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
)
def test_no_sequence_of_changes_moves_the_deadline_beyond_four_months(
    moves: list[int], filed: dt.date
) -> None:
    r = file_plan("p", "Op", "oil", filed)
    today = filed
    for move in moves:
        with contextlib.suppress(InputError, Conflict):
            r = extend(r, filed + dt.timedelta(days=move), "because", "x", today)
        assert filed <= r.deadline <= longest_deadline(filed)
        today = min(today + dt.timedelta(days=3), r.deadline)
