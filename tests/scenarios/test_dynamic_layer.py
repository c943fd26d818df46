"""`econsec scenario run --dynamic sector`: China's 2023 gallium and germanium licensing against
Japan, on real BACI 2022 trade and WIOD 2011, day by day with inventories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli import app
from shared_data import DATA

WIOD = DATA / "wiod2013_mrio"
CONCORDANCE = DATA / "hs_industry_concordances" / "hs6_isic3.csv.gz"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, baci_dir: Path) -> Path:
    ws = tmp_path_factory.mktemp("dyn") / "ws"
    r = CliRunner().invoke(
        app,
        ["data", "import", "baci", str(baci_dir / "BACI_HS17_Y2022_V202601.csv"), "-w", str(ws)],
    )
    assert r.exit_code == 0, r.output
    return ws


def scenario(tmp_path: Path, stock_days: float, share: float = 1.0) -> Path:
    path = tmp_path / f"gage{stock_days}.yaml"
    path.write_text(
        "name: gallium and germanium licensing\nbase_year: 2022\n"
        f"assumptions: {{stockpile_days: {stock_days}}}\nmeasures:\n"
        "  - {type: export_restriction, by: CHN, products: ['811292', '282590'], targets: [JPN],\n"
        f"     share_blocked: {share}, start: 2023-08, months: 6, pretext: security}}\n"
    )
    return path


def run(ws: Path, file: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    r = CliRunner().invoke(
        app, ["scenario", "run", str(file), "-w", str(ws), "--format", "json", "--mrio-dir",
              str(WIOD), "--concordance", str(CONCORDANCE), "--dynamic", "sector", *extra],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.output)  # type: ignore[no-any-return]


def test_timeline_contract_and_what_it_says(tmp_path: Path, workspace: Path) -> None:
    data = run(workspace, scenario(tmp_path, 60.0), "--days", "240")
    timeline = data["timeline"]
    assert [t["day"] for t in timeline] == list(range(240))
    for step in timeline:
        assert set(step) == {"day", "output_loss_usd", "value_added_loss_usd", "sectors"}
        assert isinstance(step["output_loss_usd"], float | int)
        for s in step["sectors"]:
            assert set(s) >= {"country", "sector", "output_loss_usd"}
    dyn = data["dynamic"]
    assert dyn["model"] == "sector" and dyn["targets"] == ["JPN"]
    assert dyn["output_loss_usd"] == pytest.approx(sum(t["output_loss_usd"] for t in timeline))
    # China's basic-metals industry loses the sales from the first day and most of all; at
    # WIOD's aggregation the cut is a sliver of what Japan buys from it: no input runs short.
    assert timeline[0]["sectors"][0]["country"] == "CHN"
    assert (timeline[30]["sectors"][0]["country"], timeline[30]["sectors"][0]["sector"]) == (
        "CHN",
        "c12",
    )
    assert dyn["first_short_day"] == []
    # The cut lasts 6 months (182 days): by day 239 the loss has nearly gone.
    peak = max(abs(t["output_loss_usd"]) for t in timeline)
    assert abs(timeline[239]["output_loss_usd"]) < 0.2 * peak
    assert data["trade_timeline"] and "month" in data["trade_timeline"][0]


def test_more_stock_loses_less_and_the_sensitivity_bisects(tmp_path: Path, workspace: Path) -> None:
    lean = run(workspace, scenario(tmp_path, 5.0), "--days", "200")["dynamic"]
    ample = run(workspace, scenario(tmp_path, 180.0), "--days", "200")["dynamic"]
    assert ample["output_loss_usd"] <= lean["output_loss_usd"] + 1.0
    sens = run(workspace, scenario(tmp_path, 5.0), "--days", "200", "--loss-limit",
               "0.000001")["dynamic"]["stockpile_sensitivity"]  # fmt: skip
    assert sens["loss_limit"] == 1e-6
    needed = sens["stockpile_days_needed"]
    assert needed is None or 0 <= needed <= sens["searched_up_to_days"]


def test_dynamic_needs_its_inputs(tmp_path: Path, workspace: Path) -> None:
    r = CliRunner().invoke(app, ["scenario", "run", str(scenario(tmp_path, 60.0)), "-w",
                                 str(workspace), "--dynamic", "sector"])  # fmt: skip
    assert r.exit_code != 0 and "--mrio-dir" in r.output
    r = CliRunner().invoke(app, ["scenario", "run", str(scenario(tmp_path, 60.0)), "-w",
                                 str(workspace), "--dynamic", "weather"])  # fmt: skip
    assert r.exit_code != 0 and "sector or firm" in r.output


# --- the firm model (Inoue–Todo type) on hand-worked networks ---


def network(firms: dict[str, tuple[str, str, float]], links: list[tuple[str, str, float]]):  # type: ignore[no-untyped-def]
    """Firms (country, sector, output) and links (supplier, buyer, value a year)."""
    import numpy as np

    from econsec.network import Network

    ids = list(firms)
    at = {f: i for i, f in enumerate(ids)}
    return Network(
        firm_ids=tuple(ids), names=tuple(ids),
        countries=tuple(c for c, _, _ in firms.values()),
        sectors=tuple(s for _, s, _ in firms.values()),
        output=np.array([x for *_, x in firms.values()], float),
        supplier=np.array([at[s] for s, _, _ in links], np.int64),
        buyer=np.array([at[b] for _, b, _ in links], np.int64),
        product=("281111",) * len(links),
        value=np.array([v for *_, v in links], float),
        essential=np.ones(len(links), bool),
    )  # fmt: skip


def cut_from(country: str, months: int = 12, stock: float = 30.0):  # type: ignore[no-untyped-def]
    from econsec.scenarios import parse_scenario

    return parse_scenario({"name": "cut", "base_year": 2019, "assumptions": {
        "stockpile_days": stock}, "measures": [
        {"type": "export_restriction", "by": country, "products": ["281111"], "targets": ["JPN"],
         "share_blocked": 1.0, "pretext": "security", "start": "2019-07", "months": months}]})  # fmt: skip


def test_firm_chain_stops_downstream_in_turn() -> None:
    from econsec.scenarios.dynamic import firm_dynamic_impact

    # S (Korea) → M → F (Japan): M holds 30 days of S's input (the scenario's stockpile),
    # F 90 days of M's (the default).
    chain = network({"S": ("KOR", "chem", 100.0), "M": ("JPN", "chip", 300.0),
                     "F": ("JPN", "car", 1000.0)},
                    [("S", "M", 100.0), ("M", "F", 300.0)])  # fmt: skip
    out = firm_dynamic_impact(chain, cut_from("KOR"), days=200)
    first = {r["sector"]: r["day"] for r in out.as_dict()["first_short_day"]}
    assert first["chip"] == 7  # 30 days' stock below 80 % after 6
    assert first["car"] > first["chip"]  # F's own stock of chips lasts a while longer
    assert "chem" not in first  # S only loses demand


def test_firm_diamond_moves_orders_to_the_other_supplier() -> None:
    from econsec.scenarios.dynamic import firm_dynamic_impact
    from econsec.sectors.dynamic import DynamicParams

    # F buys chips from A (Korea) and B (Japan); A's sales to Japan are cut.
    diamond = network({"A": ("KOR", "chip", 100.0), "B": ("JPN", "chip", 400.0),
                       "F": ("JPN", "car", 1000.0)},
                      [("A", "F", 100.0), ("B", "F", 100.0)])  # fmt: skip
    moved = firm_dynamic_impact(diamond, cut_from("KOR"), days=240).run
    fixed = firm_dynamic_impact(diamond, cut_from("KOR"), days=240,
                                params=DynamicParams(substitution=False)).run  # fmt: skip
    assert moved.industry_loss[2] < 0.5 * fixed.industry_loss[2]  # F; α ramps up slowly
    assert moved.production[100, 1] > moved.baseline[1]  # (JPN, chip): B makes more for F


def test_firm_cycle_is_steady_without_a_shock_and_recovers_after_one() -> None:
    from econsec.scenarios.dynamic import firm_dynamic_impact, network_table
    from econsec.sectors.dynamic import simulate

    cycle = network({"A": ("KOR", "a", 200.0), "B": ("JPN", "b", 200.0),
                     "C": ("JPN", "c", 200.0)},
                    [("A", "B", 50.0), ("B", "C", 50.0), ("C", "A", 50.0)])  # fmt: skip
    still = simulate(network_table(cycle), [], 365)
    assert abs(still.production - still.baseline).max() < 1e-9
    run = firm_dynamic_impact(cycle, cut_from("KOR", months=2), days=365).run
    assert run.industry_short_from[1] >= 0  # B stops for want of A's input
    assert run.production[-1] / run.baseline == __import__("pytest").approx(
        1.0, abs=1e-2
    )  # restocking


def test_monte_carlo_percentiles_in_the_json(tmp_path: Path, workspace: Path) -> None:
    data = run(workspace, scenario(tmp_path, 60.0), "--days", "90", "--draws", "5")
    spread = data["dynamic"]["uncertainty"]
    assert spread["draws"] == 5 and spread["spark"] is False
    p = spread["output_loss_usd"]
    assert p["p5"] <= p["p50"] <= p["p95"]
    assert set(spread["ranges"]) == {"inventory_scale", "psi", "restoration_days", "alpha_max"}


# --- OECD ICIO tables: HS -> ISIC Rev.4 -> the ICIO sectors ---

ICIO_NAMES = {"c9": "D20T21", "c12": "D24T25", "c13": "D28", "c14": "D26T27"}


def test_an_icio_table_gives_the_same_answer_as_the_same_numbers_under_wiod_codes(
    tmp_path: Path, workspace: Path
) -> None:
    from econsec.app.scenarios import run_in_workspace
    from econsec.scenarios import load_scenario
    from econsec.scenarios.dynamic import dynamic_impact
    from econsec.scenarios.sectors import hs_sectors
    from econsec.storage.workspace import Workspace
    from test_sectors import _icio_file

    path, icio = _icio_file(tmp_path, ("CHN", "JPN", "KOR", "USA"), ICIO_NAMES)
    (tmp_path / "w").mkdir()
    _, wiod = _icio_file(tmp_path / "w", ("CHN", "JPN", "KOR", "USA"))
    file = scenario(tmp_path, 60.0)
    ga = load_scenario(file)
    trade = run_in_workspace(Workspace(workspace), ga).result.trade
    by_icio = hs_sectors(icio, DATA / "hs_industry_concordances" / "hs_isic4.csv.gz")
    by_wiod = hs_sectors(wiod, CONCORDANCE)
    assert by_icio["811292"] == (("D24T25", 1.0),) and by_wiod["811292"] == (("c12", 1.0),)
    a = dynamic_impact(icio, ga, trade, {"811292": by_icio["811292"]}, days=60)
    b = dynamic_impact(wiod, ga, trade, {"811292": by_wiod["811292"]}, days=60)
    assert a.run.production == pytest.approx(b.run.production, rel=1e-12)
    assert a.run.output_loss().sum() > 0
    # and through the command, reading the ICIO file with pymrio
    r = CliRunner().invoke(
        app, ["scenario", "run", str(file), "-w", str(workspace),
              "--format", "json", "--mrio-dir", str(path), "--mrio-kind", "oecd",
              "--mrio-year", "2011", "--concordance",
              str(DATA / "hs_industry_concordances" / "hs_isic4.csv.gz"),
              "--dynamic", "sector", "--days", "60"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    dyn = json.loads(r.output)["dynamic"]
    assert dyn["table"].startswith("OECD ICIO, 2011") and dyn["output_loss_usd"] > 0
    top = json.loads(r.output)["timeline"][10]["sectors"][0]
    assert (top["country"], top["sector"]) == ("CHN", "D24T25")
