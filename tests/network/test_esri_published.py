"""ESRI as its authors compute it: the published rule reproduces GLcascade 0.9.3.1's outputs
(../shared/data/esri_reference, see its PROVENANCE.md) on four networks, and a hand-worked case
shows how it differs from econsec's coupled rule."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import given, settings

from econsec.network import Network, read_network
from econsec.network.cascade import esri, firm_failure, propagate
from shared_data import DATA
from small_networks import random_networks

REFERENCE = DATA / "esri_reference"
FOLDERS = ["tier30", "hub200", "tier200", "tier200z"]


def _reference(folder: str, name: str = "reference.csv") -> dict[str, dict[str, float]]:
    with (REFERENCE / folder / name).open() as f:
        return {r["firm_id"]: {k: float(v) for k, v in r.items() if k != "firm_id"}
                for r in csv.DictReader(f)}  # fmt: skip


@pytest.mark.parametrize("folder", FOLDERS)
def test_published_rule_reproduces_the_authors_outputs(folder: str) -> None:
    net = read_network(REFERENCE / folder / "firms.csv", REFERENCE / folder / "links.csv")
    ref = _reference(folder)
    ours = esri(net, model="published", tol=1e-10, max_iter=200_000)
    want = np.array([ref[f]["esri"] for f in net.firm_ids])
    np.testing.assert_allclose(ours, want, rtol=0, atol=1e-6)
    # the supply channel alone, too
    x = net.output
    for i in range(0, net.n_firms, max(1, net.n_firms // 10)):
        impact = propagate(net, firm_failure(net, {net.firm_ids[i]: 0.0}), tol=1e-14,
                           upstream=False)  # fmt: skip
        assert impact.loss == pytest.approx(ref[net.firm_ids[i]]["esri_downstream"], abs=1e-6)
    assert x.sum() > 0


def test_irrelevant_links_count_but_do_not_constrain() -> None:
    # tier200z is tier200 with some sector pairs irrelevant: the reference's values differ, and
    # so do ours — dropping the irrelevant links instead would not reproduce them.
    net = read_network(REFERENCE / "tier200z" / "firms.csv", REFERENCE / "tier200z" / "links.csv")
    assert (~net.relevant).sum() == 87
    assert _reference("tier200z") != _reference("tier200")


def _sab() -> Network:
    """S sells 5 to A and 5 to B, non-essential inputs; outputs S 10, A 5, B 5."""
    return Network(
        firm_ids=("S", "A", "B"), names=("S", "A", "B"), countries=("JPN",) * 3,
        sectors=("C20", "C29", "C29"), output=np.array([10.0, 5.0, 5.0]),
        supplier=np.array([0, 0]), buyer=np.array([1, 2]), product=("C20", "C20"),
        value=np.array([5.0, 5.0]), essential=np.array([False, False]),
    )  # fmt: skip


def test_the_published_and_the_coupled_rule_by_hand() -> None:
    # A fails. Published: the supply cascade leaves S and B whole (A supplies no one); the
    # demand cascade halves S (it lost 5 of 10 in sales) and leaves B whole (B sells nothing to
    # A): levels S 0.5, A 0, B 1, loss (10 · 0.5 + 5 · 1 + 5 · 0) / 20 = 0.5.
    # Coupled: S at 0.5 halves B's only input, B buys half from S, S halves again, ... all
    # collapse: loss 1.
    net = _sab()
    published = propagate(net, firm_failure(net, {"A": 0.0}), model="published", tol=1e-14)
    assert published.h.tolist() == [0.5, 0.0, 1.0] and published.loss == 0.5
    coupled = propagate(net, firm_failure(net, {"A": 0.0}), model="coupled", tol=1e-12,
                        max_iter=100_000)  # fmt: skip
    assert coupled.loss == pytest.approx(1.0, abs=1e-9)
    assert esri(net, model="published", tol=1e-14)[1] == pytest.approx(0.5, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(random_networks(max_firms=6))
def test_the_coupled_rule_never_loses_less(net: Network) -> None:
    # Each coupled step is below both of the published rule's steps, and all are monotone: its
    # fixed point lies below both cascades', so its ESRI is at least the published one.
    published = esri(net, model="published", tol=1e-13, max_iter=200_000)
    coupled = esri(net, model="coupled", tol=1e-13, max_iter=200_000)
    assert np.all(coupled >= published - 1e-9)
