"""Substitution shares from observed reallocation: each estimate recomputed from the data, the
lookup (scenario, product, HS section, default), and one rule in the trade and firm layers."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.network import Network, propagate
from econsec.scenarios import Scenario, parse_scenario
from econsec.scenarios.firms import firm_impact, scenario_shock
from econsec.scenarios.substitution import ESTIMATES, observed, shares
from econsec.scenarios.trade import trade_impact
from shared_data import DATA
from small_networks import net

FAOSTAT = DATA / "faostat_trade_matrix_top_partners" / "faostat_tm_top_partners.parquet"


def _faostat(item: str, year: int) -> dict[str, list[tuple[str, str, float]]]:
    out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    rows = (
        duckdb.connect()
        .execute(
            "SELECT partner_iso3, reporter_iso3, sum(value_kusd) * 1000 FROM read_parquet(?) "
            "WHERE element = 'Import value' AND item = ? AND year = ? "
            "AND partner_iso3 <> reporter_iso3 GROUP BY ALL",
            [str(FAOSTAT), item, year],
        )
        .fetchall()
    )
    for x, i, v in rows:
        out["p"].append((x, i, float(v)))
    return out


def test_every_estimate_recomputes_from_the_data() -> None:
    assert len(ESTIMATES) == 12 and {e.share for e in ESTIMATES} == {"redirect", "absorb"}
    for e in ESTIMATES:
        rho, alpha = observed(
            _faostat(e.item, e.before), _faostat(e.item, e.after), e.origin, e.by, "p"
        )
        assert (rho if e.share == "redirect" else alpha) == pytest.approx(e.value, abs=5e-5), e
    barley = {e.share: e.value for e in ESTIMATES if e.case == "chn-aus-barley-2020"}
    # Australia found new buyers for half of what it lost; China replaced it several times over
    assert barley == {"redirect": 0.7855, "absorb": 0.4787}


def _ban(product: str, assumptions: dict[str, float] | None = None) -> Scenario:
    return parse_scenario({
        "name": "ban", "base_year": 2019, "assumptions": assumptions or {},
        "measures": [{"type": "import_ban", "by": "CHN", "products": [product],
                      "origins": ["AUS"], "start": "2020-05", "months": 12, "pretext": "other"}],
    })  # fmt: skip


def test_the_lookup_order() -> None:
    # the product's own case, then its HS section's median, then the documented default
    barley = shares(_ban("100390"), "100390")
    assert barley.absorb == pytest.approx(0.4787)
    assert "chn-aus-barley-2020" in barley.absorb_source
    wheat = shares(_ban("100199"), "100199")
    assert wheat.absorb == pytest.approx(0.0779)  # median of the five section II cases
    assert wheat.redirect == pytest.approx(0.0536)
    assert "section II" in wheat.redirect_source
    gallium = shares(_ban("811292"), "811292")
    assert (gallium.redirect, gallium.absorb) == (0.2, 0.2)
    assert gallium.redirect_source.startswith("assumption")
    mine = shares(_ban("100390", {"absorb_share": 0.9}), "100390")
    assert mine.absorb == 0.9 and mine.absorb_source == "the scenario's assumption"
    assert mine.redirect == pytest.approx(0.7855)  # only what the scenario sets is overridden


def test_the_trade_layer_says_which_share_it_used() -> None:
    flows = {"100390": [("AUS", "CHN", 600.0), ("AUS", "JPN", 100.0), ("FRA", "SAU", 1000.0)]}
    impact = trade_impact(None, _ban("100390"), flows)
    (ban,) = impact.bans
    # Saudi Arabia buys 1000 from others: 0.4787 of it is within Australia's reach
    assert ban.alternatives[0] == ("SAU", pytest.approx(478.7))
    (used,) = impact.shares
    assert used.as_dict()["absorb_share"] == 0.4787


def _world() -> Network:
    # X (CHN) sells p to J (JPN), J's only and essential input; K (KOR) sells p to U (USA).
    return net(
        {"X": ("CHN", 20.0), "J": ("JPN", 20.0), "K": ("KOR", 100.0), "U": ("USA", 100.0)},
        [("X", "J", "811292", 10.0, True), ("K", "U", "811292", 50.0, True)],
    )


def _restriction(rho: float) -> Scenario:
    return parse_scenario({
        "name": "restriction", "base_year": 2024, "assumptions": {"redirect_share": rho},
        "measures": [{"type": "export_restriction", "by": "CHN", "products": ["811292"],
                      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
                      "start": "2024-08", "months": 12}],
    })  # fmt: skip


def test_the_firm_layer_reroutes_by_the_same_rule() -> None:
    """CHN cuts X's 10 to J; K can redirect ρ of the 50 it sells elsewhere: ρ = 0.1 makes good
    5 of the 10, so J (an essential input) runs at half; the trade layer on the same flows
    substitutes the same 5."""
    world = _world()
    shock = scenario_shock(world, _restriction(0.1))
    assert (
        shock.cut.tolist() == [True, False]
        and shock.replaced is not None
        and shock.replaced.tolist() == [0.5, 0.0]
    )
    impact = propagate(world, shock, upstream=False)
    assert impact.h[world.index("J")] == pytest.approx(0.5)
    flows = {"811292": [("CHN", "JPN", 10.0), ("KOR", "USA", 50.0)]}
    (p,) = trade_impact(None, _restriction(0.1), flows).by_product
    assert p.substitutable_usd == pytest.approx(5.0) and p.shortfall_usd == pytest.approx(5.0)
    # no substitution: the link is simply cut
    shock = scenario_shock(world, _restriction(0.0))
    assert propagate(world, shock, upstream=False).h[world.index("J")] == 0.0


def test_a_banned_origin_resells_by_the_absorb_share() -> None:
    """CHN bans X's p; X sold 10 to J in CHN, and U buys 50 from K: α = 0.1 lets X resell 5 of
    its 10 (its demand side keeps half), by the trade layer's rule."""
    world = net(
        {"X": ("AUS", 20.0), "J": ("CHN", 20.0), "K": ("KOR", 100.0), "U": ("USA", 100.0)},
        [("X", "J", "100390", 10.0, False), ("K", "U", "100390", 50.0, False)],
    )
    s = parse_scenario({
        "name": "ban", "base_year": 2019, "assumptions": {"absorb_share": 0.1,
                                                          "redirect_share": 0.0},
        "measures": [{"type": "import_ban", "by": "CHN", "products": ["100390"],
                      "origins": ["AUS"], "start": "2020-05", "months": 12, "pretext": "other"}],
    })  # fmt: skip
    shock = scenario_shock(world, s)
    assert shock.resold is not None and shock.resold.tolist() == [0.5, 0.0]
    # X loses 5 of its 20 in sales, not 10
    assert propagate(world, shock).h[world.index("X")] == pytest.approx(0.75)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_substitution_never_loses_more(low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    world = _world()
    losses = [firm_impact(world, _restriction(r)).loss_share for r in (low, high)]
    assert losses[1] <= losses[0] + 1e-12
