"""Sourcing plans on hand-solvable instances, infeasibility messages, stockpile sizing."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.errors import Infeasible, InputError
from econsec.scenarios.mitigation import (
    Problem,
    frontier,
    recommend,
    rounded_shares,
    solve,
    stockpile_days,
)


def test_cost_only_fills_the_cheapest_suppliers_up_to_the_cap() -> None:
    p = Problem(("A", "B", "C"), {}, {"A": 1, "B": 1, "C": 1}, cost={"A": 1, "B": 2, "C": 3},
                switching=0.0, premium=0.0)  # fmt: skip
    plan = solve(p, 0)
    assert plan.shares == pytest.approx({"A": 0.65, "B": 0.35})
    assert plan.cost == pytest.approx(0.65 + 0.7)


STEP = 0.025  # the tangent spacing of the HHI's linearisation: shares are exact to within it


def test_hhi_weight_equalises_shares_at_the_kkt_point() -> None:
    # Equal costs, no switching: any λ > 0 gives equal shares (HHI 1/3).
    p = Problem(("A", "B", "C"), {}, {"A": 1, "B": 1, "C": 1}, switching=0.0, premium=0.0)
    plan = solve(p, 1.0)
    assert plan.shares == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}, abs=STEP)
    assert plan.hhi == pytest.approx(1 / 3, abs=3 * STEP**2 / 4)
    # Cost gap g and weight λ: x_A − x_B = g / (2λ) while both are positive (here 0.1, which
    # the linearisation meets to within one tangent step).
    q = Problem(("A", "B"), {}, {"A": 1, "B": 1}, cost={"A": 1.0, "B": 1.1}, switching=0.0,
                premium=0.0, cap=1.0)  # fmt: skip
    plan = solve(q, 0.5)
    assert plan.shares == pytest.approx({"A": 0.55, "B": 0.45}, abs=STEP)


def test_like_minded_premium_and_switching_cost() -> None:
    p = Problem(("CHN", "AUS"), {"CHN": 1.0}, {"CHN": 1, "AUS": 1},
                like_minded=frozenset({"AUS"}), premium=0.05, switching=0.02, cap=1.0)  # fmt: skip
    # moving a unit costs 2 · 0.02 of switching (out of CHN, into AUS) < 0.05 saved premium
    assert solve(p, 0).shares == pytest.approx({"AUS": 1.0})
    p2 = Problem(("CHN", "AUS"), {"CHN": 1.0}, {"CHN": 1, "AUS": 1},
                 like_minded=frozenset({"AUS"}), premium=0.05, switching=0.03, cap=1.0)  # fmt: skip
    assert solve(p2, 0).shares == pytest.approx({"CHN": 1.0})


def test_expected_shortfall_moves_away_from_risky_suppliers() -> None:
    p = Problem(("CHN", "AUS"), {}, {"CHN": 1, "AUS": 0.5}, switching=0.0, premium=0.0,
                cost={"CHN": 1.0, "AUS": 1.2}, risk="expected_shortfall",
                disruption={"CHN": 0.3}, cap=1.0)  # fmt: skip
    assert solve(p, 0).shares == pytest.approx({"CHN": 1.0})
    assert solve(p, 1.0).shares == pytest.approx({"CHN": 0.5, "AUS": 0.5})


def test_infeasible_plan_names_the_binding_constraints() -> None:
    p = Problem(("CHN", "AUS", "USA"), {"CHN": 1.0}, {"CHN": 1.0, "AUS": 0.1, "USA": 0.05})
    with pytest.raises(Infeasible) as err:
        solve(p, 0)
    message = str(err.value)
    assert "at most 80%" in message
    assert (
        "CHN cap 65%" in message and "AUS capacity 10%" in message and "USA capacity 5%" in message
    )


def test_frontier_trades_cost_for_risk_and_recommendation() -> None:
    p = Problem(("A", "B", "C"), {"A": 0.65, "B": 0.35}, {"A": 1, "B": 1, "C": 1},
                cost={"A": 1.0, "B": 1.05, "C": 1.2})  # fmt: skip
    plans = frontier(p)
    costs = [pl.cost for pl in plans]
    hhis = [pl.hhi for pl in plans]
    assert costs == sorted(costs) and hhis == sorted(hhis, reverse=True)
    best = recommend(plans)
    assert best.hhi <= min(hhis) * 1.1 + 1e-9
    assert all(pl.cost >= best.cost - 1e-12 for pl in plans if pl.hhi <= min(hhis) * 1.1)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.5, 2.0), min_size=2, max_size=6),
    st.floats(0, 5),
)
def test_plans_are_feasible(costs: list[float], lam: float) -> None:
    names = tuple(f"S{i}" for i in range(len(costs)))
    p = Problem(names, {names[0]: 1.0}, dict.fromkeys(names, 1.0), cost=dict(zip(names, costs, strict=True)),
                cap=max(0.65, 1 / len(names) + 0.01))  # fmt: skip
    plan = solve(p, lam)
    assert sum(plan.shares.values()) == pytest.approx(1, abs=1e-6)
    assert all(-1e-9 <= v <= p.cap + 1e-6 for v in plan.shares.values())


def test_least_share_and_most_suppliers_shape_the_plan() -> None:
    # Without limits the HHI weight spreads demand over all ten equal suppliers (10 % each);
    # at most four suppliers gives four at 25 %, a least share of 15 % gives six at 1/6 or
    # fewer; an excluded supplier is never used.
    names = tuple(f"S{i}" for i in range(10))
    free = Problem(names, {}, dict.fromkeys(names, 1.0), switching=0.0, premium=0.0,
                   min_share=0.0, max_suppliers=10)  # fmt: skip
    assert len(solve(free, 1.0).shares) == 10
    four = solve(dataclasses.replace(free, max_suppliers=4), 1.0)
    assert sorted(four.shares.values()) == pytest.approx([0.25] * 4, abs=STEP)
    least = solve(dataclasses.replace(free, min_share=0.15), 1.0)
    assert len(least.shares) <= 6 and min(least.shares.values()) >= 0.15 - 1e-6
    banned = solve(dataclasses.replace(free, excluded=frozenset({"S0", "S1"})), 1.0)
    assert not {"S0", "S1"} & set(banned.shares)


def test_too_few_suppliers_is_infeasible_and_says_why() -> None:
    p = Problem(("CHN", "PHL", "VNM"), {"CHN": 1.0}, {"CHN": 1.0, "PHL": 0.4, "VNM": 0.35},
                excluded=frozenset({"CHN"}))  # fmt: skip
    with pytest.raises(Infeasible) as err:
        solve(p, 0)
    assert "2 suppliers can cover at most 75%" in str(err.value)
    assert "excluded: CHN" in str(err.value)
    with pytest.raises(InputError, match="least share"):
        solve(dataclasses.replace(p, min_share=0.9), 0)


def _best_by_enumeration(p: Problem, lam: float) -> float:
    """The least objective over every allowed set of suppliers, each an LP without the
    integer variables (the cross-check of the branch and bound)."""
    best = math.inf
    for k in range(1, p.max_suppliers + 1):
        for chosen in itertools.combinations(p.suppliers, k):
            sub = dataclasses.replace(p, capacity={s: p.capacity[s] for s in chosen},
                                      min_share=p.min_share, max_suppliers=k)  # fmt: skip
            try:
                plan = solve(sub, lam)
            except Infeasible:
                continue
            if set(plan.shares) == set(chosen):  # a smaller set is met on its own
                best = min(best, plan.cost + lam * plan.hhi)
    return best


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.8, 1.5), min_size=3, max_size=6),
    st.lists(st.floats(0.05, 1.0), min_size=6, max_size=6),
    st.integers(1, 4),
    st.sampled_from([0.0, 0.3, 1.0]),
)
def test_mixed_integer_plan_matches_enumeration(
    costs: list[float], capacity: list[float], most: int, lam: float
) -> None:
    names = tuple(f"S{i}" for i in range(len(costs)))
    p = Problem(names, {names[0]: 1.0}, dict(zip(names, capacity, strict=False)),
                cost=dict(zip(names, costs, strict=True)), cap=1.0, min_share=0.1,
                max_suppliers=most)  # fmt: skip
    try:
        plan = solve(p, lam)
    except Infeasible:
        assert _best_by_enumeration(p, lam) == math.inf
        return
    assert len(plan.shares) <= most
    assert all(v >= 0.1 - 1e-6 for v in plan.shares.values())
    assert sum(plan.shares.values()) == pytest.approx(1.0, abs=1e-9)
    # the linearised HHI is exact at the tangents only: compare within its error
    assert plan.cost + lam * plan.hhi == pytest.approx(_best_by_enumeration(p, lam), abs=2e-3)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_rounded_shares_add_up_to_one(values: list[float]) -> None:
    shares = {f"S{i}": v for i, v in enumerate(values)}
    if sum(values) == 0:
        assert rounded_shares(shares) == {}
        return
    for unit in (1e-4, 1e-3, 0.01):
        rounded = rounded_shares(shares, unit)
        assert sum(round(v / unit) for v in rounded.values()) == round(1 / unit)
        total = sum(values)
        assert all(abs(rounded.get(s, 0) - v / total) < unit + 1e-12 for s, v in shares.items())


def test_stockpile_days() -> None:
    assert stockpile_days(60, 0.9, 1.0) == pytest.approx(-60 * math.log(0.1))
    assert stockpile_days(60, 0.0, 1.0) == 0.0
    assert stockpile_days(60, 0.9, 0.0) == 0.0
    with pytest.raises(InputError, match=r"expected a number in \[0, 1\)"):
        stockpile_days(60, 1.0, 1.0)
