"""Multi-tier exposure, dominators and shared hidden suppliers, by hand."""

from __future__ import annotations

import pytest

from econsec.errors import InputError
from econsec.network import (
    Network,
    articulation_points,
    dominators,
    exposure,
    hidden_dependence,
    shared_suppliers,
)
from small_networks import net


def chain_network() -> Network:
    # Mine M (CHN) -> refiner R (KOR) -> maker P (JPN), and a second input of P from U (USA).
    # P buys 30 from R and 10 from U; R buys all of its input from M.
    return net(
        {
            "M": ("CHN", 100.0),
            "R": ("KOR", 100.0),
            "U": ("USA", 100.0),
            "P": ("JPN", 100.0),
            "Q": ("JPN", 100.0),
        },
        [
            ("M", "R", "ore", 20.0, True),
            ("R", "P", "chem", 30.0, True),
            ("U", "P", "part", 10.0, False),
            ("R", "Q", "chem", 5.0, True),
        ],
    )


def test_hidden_exposure_to_china() -> None:
    n = chain_network()
    tier1, anytier = hidden_dependence(n, "CHN")
    p = n.index("P")
    assert tier1[p] == 0.0 and anytier[p] == pytest.approx(0.75)  # 30 of 40 inputs via R
    (china, korea, usa) = sorted(exposure(n, "P"), key=lambda e: e.country)[0:3]
    assert china.country == "CHN" and china.hidden == pytest.approx(0.75)
    assert china.paths[0].firms == ("R", "M") and china.paths[0].weight == pytest.approx(0.75)
    assert korea.tier1 == pytest.approx(0.75) and usa.tier1 == pytest.approx(0.25)


def test_dominators_and_shared_suppliers() -> None:
    n = chain_network()
    assert dominators(n, "P", country="CHN") == ("R",)
    assert dominators(n, "P", product="ore") == ("R",)
    with pytest.raises(InputError, match="country or a product"):
        dominators(n, "P")
    rows = {r.firm_id: r for r in shared_suppliers(n)}
    # P and Q (no customers) both depend on R directly and on M without knowing it.
    assert rows["M"].n_firms == 2 and rows["M"].n_hidden == 2
    assert rows["R"].n_firms == 2 and rows["R"].n_hidden == 0


def test_articulation_points() -> None:
    # Undirected: M - R - P, R - Q, U - P: R joins M and Q to the rest, P joins U.
    assert articulation_points(chain_network()) == ("P", "R")
