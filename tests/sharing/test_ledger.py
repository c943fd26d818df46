"""The release ledger's audit: the attacks it must stop, cross-checked against independent
computations (rank tests with NumPy, linear programs with SciPy) and Hypothesis properties."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from econsec.sharing.ledger import Ledger, Statistic, audit, statistic

SHARE = {"high": 1.0}


def share(values: dict[str, float]) -> Statistic:
    return statistic("input_share", values, **SHARE)


def test_differencing_across_kinds_is_refused() -> None:
    # The attack: a 6-firm shared-supplier finding and a 5-firm hidden-tier-2 finding
    # on the same supplier and product carry the same input shares.
    six = {f"f{i}": 0.15 + 0.1 * i for i in range(6)}
    ledger = Ledger([share(six)])
    five = {f: x for f, x in six.items() if f != "f3"}
    assert audit(ledger, [share(five)]).rule == "differencing"


def test_withdraw_and_resubmit_is_one_unknown() -> None:
    # A firm withdraws, the analyst releases over the rest, the firm re-submits the same number
    # and a re-release over all would differ from the first by nothing — allowed; but the
    # release without it, after one with it, isolates it.
    six = {f"f{i}": 0.15 + 0.1 * i for i in range(6)}
    ledger = Ledger([share(six)])
    assert audit(ledger, [share(six)]).allowed  # the same numbers again: nothing new
    changed = six | {"f0": 0.9}  # f0 changed its number: a new unknown beside the old
    assert audit(ledger, [share(changed)]).rule == "differencing"


def test_a_chain_of_large_differences_that_isolates_a_firm() -> None:
    S = {f"s{i}": 0.2 + 0.01 * i for i in range(5)}
    T = {f"t{i}": 0.3 + 0.01 * i for i in range(5)}
    ledger = Ledger([share(S | {"F": 0.5}), share(S | T)])
    assert audit(ledger, [share(T)]).rule == "exact"


def test_a_colluding_firm_learns_its_neighbour() -> None:
    # Two statistics differ in two firms, G and F: G knows its own value, so F's follows.
    # (k = 3 here, so the differencing rule does not already refuse it.)
    S = {f"s{i}": 0.2 + 0.01 * i for i in range(4)}
    ledger = Ledger([share(S | {"F": 0.5, "G": 0.1})])
    verdict = audit(ledger, [share(S)], min_firms=2)
    assert verdict.rule == "exact"


def test_bounds_narrow_a_value_that_no_single_release_narrows() -> None:
    # Three firms' shares sum to 2.9 over two releases whose difference is a 2-firm cell of
    # shares near 1: the bounds [0, 1] pin each to within 10 %.
    S = {f"s{i}": 0.1 + 0.01 * i for i in range(5)}
    ledger = Ledger([share(S | {"a": 0.97, "b": 0.98})])
    verdict = audit(ledger, [share(S)], min_firms=2)
    # a + b = 1.95 with a, b <= 1: a >= 0.95, within 10 % of 0.97 (and given b, exact)
    assert verdict.rule in {"exact", "interval"}
    assert not verdict.allowed


def test_interval_rule_alone() -> None:
    # No firm's value is determined (rank), yet the bounds narrow one: x_a + x_b + x_c known
    # with all near 1; each single release leaves wide ranges.
    S = {f"s{i}": 0.2 + 0.01 * i for i in range(5)}
    tri = {"a": 0.99, "b": 0.98, "c": 0.97}
    ledger = Ledger([share(S | tri)])
    verdict = audit(ledger, [share(S)], min_firms=2)
    assert verdict.rule == "interval"


def test_surveys_across_the_same_population() -> None:
    # Two surveys ask the same question; one more firm answered the second.
    yes = statistic("survey:q:yes", {f"f{i}": 1.0 if i % 2 else 0.0 for i in range(6)},
                    high=1.0, integral=True)  # fmt: skip
    six = dict(yes.terms[i][::2] for i in range(6))
    ledger = Ledger([yes])
    later = statistic("survey:q:yes", six | {"f6": 1.0}, high=1.0, integral=True)
    assert audit(ledger, [later]).rule == "differencing"


def test_unrelated_and_repeated_releases_pass() -> None:
    A = {f"a{i}": 0.2 + 0.01 * i for i in range(6)}
    B = {f"b{i}": 0.3 + 0.01 * i for i in range(6)}
    ledger = Ledger([share(A)])
    assert audit(ledger, [share(B)]).allowed
    assert audit(ledger, [share(A)]).allowed
    # another measure on the same firms is another unknown
    assert audit(ledger, [statistic("severity", {f: 3.0 for f in list(A)[:5]}, low=1.0,
                                    high=5.0, integral=True)]).allowed  # fmt: skip


def test_overlapping_large_sets_pass() -> None:
    # Releases on overlapping sets that differ by at least k firms each and pin nothing.
    rng = np.random.default_rng(3)
    firms = [f"f{i}" for i in range(40)]
    values = {f: float(rng.uniform(0.05, 0.6)) for f in firms}
    ledger = Ledger([share({f: values[f] for f in firms[:20]})])
    assert audit(ledger, [share({f: values[f] for f in firms[10:30]})]).allowed


# --- cross-implementation checks ------------------------------------------------------------


def _naive_determined(stats: list[Statistic]) -> set[tuple[str, str, float]]:
    """Unknowns whose unit vector lies in the row space (matrix_rank), alone or given one other
    firm's unknowns."""
    keys = sorted({k for s in stats for k in s.keys})
    A = np.array([[dict(zip(s.keys, (w for _, w, _ in s.terms), strict=True)).get(k, 0.0)
                   for k in keys] for s in stats])  # fmt: skip
    rank = np.linalg.matrix_rank
    unit = np.eye(len(keys))
    firms = {k[0] for k in keys}
    out = set()
    for i, k in enumerate(keys):
        for helper in [None, *sorted(firms - {k[0]})]:
            known = [unit[j] for j, kk in enumerate(keys) if kk[0] == helper]
            base = np.vstack([A, *known]) if known else A
            if rank(np.vstack([base, unit[i]])) == rank(base):
                out.add(k)
    return out


def _naive_range(stats: list[Statistic], key: tuple[str, str, float]) -> tuple[float, float]:
    keys = sorted({k for s in stats for k in s.keys})
    A = np.array([[dict(zip(s.keys, (w for _, w, _ in s.terms), strict=True)).get(k, 0.0)
                   for k in keys] for s in stats])  # fmt: skip
    x = np.array([k[2] for k in keys])
    c = np.zeros(len(keys))
    c[keys.index(key)] = 1.0
    bounds = [(0.0, 1.0)] * len(keys)
    lo = linprog(c, A_eq=A, b_eq=A @ x, bounds=bounds).fun
    hi = -linprog(-c, A_eq=A, b_eq=A @ x, bounds=bounds).fun
    return lo, hi


_values = st.sampled_from([0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 0.95])
_firms = st.sampled_from([f"f{i}" for i in range(8)])
_stat = st.dictionaries(_firms, _values, min_size=2, max_size=6).map(share)


def _matrix(group: Ledger) -> tuple[list[Any], np.ndarray]:
    """The unknowns, sorted, and the released statistics' weights on them (one row each)."""
    keys = sorted({k for s in group.statistics for k in s.keys})
    col = {k: j for j, k in enumerate(keys)}
    A = np.zeros((len(group), len(keys)))
    for i, s in enumerate(group.statistics):
        for k, (_, w, _) in zip(s.keys, s.terms, strict=True):
            A[i, col[k]] = w
    return keys, A


@settings(max_examples=60, deadline=None)
@given(st.lists(_stat, min_size=1, max_size=6))
def test_exact_check_matches_rank_tests(stats: list[Statistic]) -> None:
    from econsec.sharing import ledger as lg

    group = Ledger(stats)
    keys, A = _matrix(group)
    _, sv, Vt = np.linalg.svd(A, full_matrices=False)
    V = Vt[: int((sv > 1e-9 * max(1.0, sv[0])).sum())]
    R = np.eye(len(keys)) - V.T @ V
    mine = lg._determined(R, np.array([k[0] for k in keys]))
    assert {k for k, d in zip(keys, mine, strict=True) if d} == _naive_determined(group.statistics)


@settings(max_examples=40, deadline=None)
@given(st.lists(_stat, min_size=2, max_size=5))
def test_ranges_match_scipy_linprog(stats: list[Statistic]) -> None:
    from econsec.sharing import ledger as lg

    group = Ledger(stats)
    keys, A = _matrix(group)
    x = np.array([k[2] for k in keys])
    _, sv, Vt = np.linalg.svd(A, full_matrices=False)
    V = Vt[: int((sv > 1e-9 * max(1.0, sv[0])).sum())]
    ranges = list(lg._ranges(V, x, lg._bounds(group.statistics, keys), list(range(len(keys)))))
    for k, (lo, hi) in zip(keys, ranges, strict=True):
        want = _naive_range(group.statistics, k)
        assert lo == pytest.approx(want[0], abs=1e-6) and hi == pytest.approx(want[1], abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(_stat, min_size=1, max_size=8))
def test_what_the_audit_lets_through_never_determines_a_firm(stats: list[Statistic]) -> None:
    # The adversary asks for every statistic in turn; whatever passes, together, pins no value
    # (alone or with one colluding firm), as the naive rank test sees it.
    ledger = Ledger()
    for s in stats:
        if audit(ledger, [s], min_firms=2).allowed:
            ledger.add(s)
    assert _naive_determined(ledger.statistics) == set()


def test_too_large_a_system_is_refused_not_half_audited() -> None:
    A = {f"a{i}": 0.2 + 0.01 * i for i in range(6)}
    ledger = Ledger([share(A)])
    B = A | {f"b{i}": 0.3 for i in range(6)}
    assert audit(ledger, [share(B)], max_unknowns=10).rule == "complexity"
    assert audit(ledger, [share(B)], max_unknowns=12).allowed


def test_row_space_by_blocks_matches_one_svd() -> None:
    # 700 statistics over 40 unknowns: reduced three blocks at a time, the projector is the
    # one of the whole matrix.
    from econsec.sharing import ledger as lg

    rng = np.random.default_rng(5)
    firms = [f"f{i}" for i in range(40)]
    stats = [
        statistic(
            "m",
            {f: 0.5 for f in rng.choice(firms, size=3, replace=False)},
            {f: float(rng.integers(1, 4)) for f in firms},
        )
        for _ in range(700)
    ]
    keys = sorted({k for s in stats for k in s.keys})
    col = {k: j for j, k in enumerate(keys)}
    A = np.zeros((len(stats), len(keys)))
    for i, s in enumerate(stats):
        for k, (_, w, _) in zip(s.keys, s.terms, strict=True):
            A[i, col[k]] = w
    V = lg._row_space(stats, col)
    assert V.shape[0] == np.linalg.matrix_rank(A)
    _, _sv, Vt = np.linalg.svd(A, full_matrices=False)
    W = Vt[: V.shape[0]]
    np.testing.assert_allclose(V.T @ V, W.T @ W, atol=1e-9)
