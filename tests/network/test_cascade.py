"""The generalised Leontief cascade on networks small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.network import Network, country_export_ban, esri, firm_failure, propagate
from small_networks import net


def test_chain_essential() -> None:
    # A -> B -> C; A's failure stops B and C (essential inputs); sales: A 10 of 20, B 20 of 40.
    n = net(
        {"A": ("CHN", 20.0), "B": ("JPN", 40.0), "C": ("JPN", 60.0)},
        [("A", "B", "x", 10.0, True), ("B", "C", "y", 20.0, True)],
    )
    impact = propagate(n, firm_failure(n, {"A": 0.0}))
    assert impact.h.tolist() == [0.0, 0.0, 0.0] and impact.loss == 1.0
    # C fails: B loses its only customer (20 of its 40 sales) -> 0.5; B at half production buys
    # half of its input: A loses 10 * 0.5 of its 20 sales -> 0.75.
    impact = propagate(n, firm_failure(n, {"C": 0.0}))
    assert impact.h == pytest.approx([0.75, 0.5, 0.0])
    assert impact.loss == pytest.approx((20 * 0.25 + 40 * 0.5 + 60) / 120)
    # Supply side only: C's failure hurts nobody upstream.
    assert propagate(n, firm_failure(n, {"C": 0.0}), upstream=False).h.tolist() == [1.0, 1.0, 0.0]


def test_diamond_essential_vs_non_essential() -> None:
    # A -> B, A -> C, B -> D (type b), C -> D (type c); D's inputs 30 from B, 10 from C.
    def diamond(essential_c: bool) -> Network:
        return net(
            {"A": ("AUS", 100.0), "B": ("CHN", 100.0), "C": ("KOR", 100.0), "D": ("JPN", 100.0)},
            [
                ("A", "B", "a", 1.0, True),
                ("A", "C", "a", 1.0, True),
                ("B", "D", "b", 30.0, True),
                ("C", "D", "c", 10.0, essential_c),
            ],
        )

    shock_c = lambda n: firm_failure(n, {"C": 0.0})  # noqa: E731
    # C essential for D: D stops.
    n = diamond(True)
    assert propagate(n, shock_c(n), upstream=False).h.tolist() == [1.0, 1.0, 0.0, 0.0]
    # C non-essential: D loses its 10/40 share of inputs.
    n = diamond(False)
    assert propagate(n, shock_c(n), upstream=False).h == pytest.approx([1.0, 1.0, 0.0, 0.75])
    # Partial failure of B (half): D (B essential) at 0.5.
    assert propagate(n, firm_failure(n, {"B": 0.5}), upstream=False).h == pytest.approx(
        [1, 0.5, 1, 0.5]
    )


def test_star_and_export_ban() -> None:
    # A hub H in CHN supplies five Japanese firms essential inputs; a Korean firm supplies one.
    firms = {"H": ("CHN", 50.0), "K": ("KOR", 50.0), **{f"J{i}": ("JPN", 10.0) for i in range(5)}}
    links = [("H", f"J{i}", "m", 5.0, True) for i in range(5)] + [("K", "J0", "n", 5.0, False)]
    n = net(firms, links)
    ban = country_export_ban(n, "CHN")
    assert ban.cut.sum() == 5
    impact = propagate(n, ban, upstream=False)
    assert impact.h.tolist() == [1.0, 1.0, 0, 0, 0, 0, 0]
    # With the demand side the hub loses its 25 of 50 sales; coupled, K loses 5 of 50 too (J0
    # stops); published, J0's demand cascade never sees its supply stop, so K keeps its sales.
    assert propagate(n, ban).h[:2] == pytest.approx([0.5, 1.0])
    impact = propagate(n, ban, model="coupled")
    assert impact.h[:2] == pytest.approx([0.5, 0.9])
    scores = esri(n, model="coupled")
    assert scores[0] == pytest.approx(impact.loss + 25 / 150)  # the hub itself fails too
    # J3 fails: H loses 5 of 50 sales, produces less and so delivers less to the other four J
    # (essential input), which buy less in turn: h_H = 1 - (5 + 20 (1 - h_H)) / 50 = 5/6, the
    # other J at 5/6, K loses 5 (1 - 5/6) of 50. Loss = (50/6 + 50/60 + 10 + 40/6) / 150.
    assert scores[n.index("J3")] == pytest.approx((50 / 6 + 50 / 60 + 10 + 40 / 6) / 150)


def test_all_linear_matches_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    size, m = 40, 160
    supplier, buyer = rng.integers(0, size, m), rng.integers(0, size, m)
    keep = supplier != buyer
    pairs = sorted(set(zip(supplier[keep].tolist(), buyer[keep].tolist(), strict=True)))
    links = [(f"F{s}", f"F{b}", "p", float(rng.uniform(1, 10)), False) for s, b in pairs]
    n = net({f"F{i}": ("JPN", 1000.0) for i in range(size)}, links)
    failed = [0, 7]
    impact = propagate(
        n, firm_failure(n, {f"F{i}": 0.0 for i in failed}), upstream=False, tol=1e-13
    )
    W = n.W()
    inputs = np.asarray(W.sum(axis=0)).ravel()
    B = sp.csr_matrix(W.multiply(1 / np.where(inputs > 0, inputs, 1)[None, :]))
    rest = np.setdiff1d(np.arange(size), failed)
    A = sp.identity(rest.size) - B[rest][:, rest].T
    rhs = np.asarray(B[failed][:, rest].sum(axis=0)).ravel()
    expected = spla.spsolve(A.tocsc(), rhs)
    assert 1 - impact.h[rest] == pytest.approx(expected, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_invariants(seed: int, a: float, b: float) -> None:
    rng = np.random.default_rng(seed)
    size = 12
    links = []
    for s in range(size):
        for t in rng.choice(size, size=3, replace=False):
            if s != t:
                links.append(
                    (
                        f"F{s}",
                        f"F{t}",
                        f"p{s % 3}",
                        float(rng.uniform(1, 5)),
                        bool(rng.random() < 0.5),
                    )
                )
    n = net({f"F{i}": ("JPN", float(rng.uniform(20, 60))) for i in range(size)}, links)
    assert propagate(n, firm_failure(n, {})).loss == 0.0  # zero shock, zero loss
    small, large = sorted((a, b))
    mild = propagate(n, firm_failure(n, {"F0": 1 - small}))
    hard = propagate(n, firm_failure(n, {"F0": 1 - large}))
    assert 0.0 <= mild.loss <= hard.loss <= 1.0 + 1e-12  # monotone in the shock, within [0, 1]
    assert np.all((hard.h >= -1e-12) & (hard.h <= mild.h + 1e-9))


def test_esri_batches_agree_with_single_cascades() -> None:
    rng = np.random.default_rng(5)
    size = 30
    links = [
        (f"F{s}", f"F{t}", f"p{t % 4}", float(rng.uniform(1, 5)), bool(rng.random() < 0.4))
        for s in range(size)
        for t in rng.choice(size, 3, replace=False)
        if s != t
    ]
    n = net({f"F{i}": ("JPN", 50.0) for i in range(size)}, links)
    batched = esri(n, batch=7)
    single = [propagate(n, firm_failure(n, {f"F{i}": 0.0})).loss for i in range(size)]
    assert batched == pytest.approx(single, abs=1e-6)  # both stop when steps fall below 1e-9
