"""Scenario files, the trade and firm layers, on hand-computed cases and real BACI data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from econsec.cli import app
from econsec.errors import InputError
from econsec.scenarios import firm_impact, parse_scenario, run_scenario, scenario_shock
from econsec.storage.engines import DuckDBEngine
from small_networks import net

RESTRICT = {
    "type": "export_restriction",
    "by": "CHN",
    "products": ["811292"],
    "targets": ["JPN"],
    "share_blocked": 1.0,
    "start": "2023-08",
    "months": 12,
    "pretext": "security",
}


def _engine(rows: list[tuple[str, str, float]]) -> DuckDBEngine:
    con = duckdb.connect()
    con.register(
        "flows",
        pa.table(
            {
                "year": [2022] * len(rows),
                "exporter": [r[0] for r in rows],
                "importer": [r[1] for r in rows],
                "product": ["811292"] * len(rows),
                "value_usd": [r[2] for r in rows],
            }
        ),
    )
    return DuckDBEngine(con)


def _scenario(*measures: dict, **extra: object) -> object:
    return parse_scenario({"name": "t", "base_year": 2022, "measures": list(measures), **extra})


def test_trade_layer_by_hand() -> None:
    engine = _engine(
        [("CHN", "JPN", 100), ("AUS", "JPN", 50), ("AUS", "USA", 200), ("VNM", "KOR", 100)]
    )
    result = run_scenario(engine, _scenario(RESTRICT)).as_dict()
    (row,) = result["by_product"]
    # at risk 100; others can redirect 20 % of their 300 to the rest of the world = 60
    assert row == {
        "importer": "JPN", "product": "811292", "imports_usd": 150.0,
        "trade_at_risk_usd": 100.0, "substitutable_usd": 60.0, "shortfall_usd": 40.0,
        "stockpile_days": 60.0, "days_to_shortage": 225.0,  # 60 days · 150 / 40
        "lasts_beyond_measure": False,  # the measure lasts 12 months
    }  # fmt: skip
    # a 6-month measure ends before the stock (225 days) runs out
    (short,) = run_scenario(engine, _scenario({**RESTRICT, "months": 6})).as_dict()["by_product"]
    assert short["lasts_beyond_measure"] is True
    unmet = [t["unmet_usd"] for t in result["timeline"]]
    stock = 60 / 365 * 150
    assert sum(unmet) == pytest.approx(40 - stock, abs=0.05)
    assert unmet[:7] == [0.0] * 7 and unmet[-1] == pytest.approx(40 / 12, abs=0.01)


def test_capacity_is_shared_between_targets_and_stockpiles_per_product() -> None:
    engine = _engine([("CHN", "JPN", 100), ("CHN", "KOR", 300), ("AUS", "USA", 200)])
    s = _scenario(
        {**RESTRICT, "targets": ["JPN", "KOR"], "share_blocked": 0.5},
        assumptions={"redirect_share": 0.5, "stockpile_days_by_product": {"811292": 0}},
    )
    rows = {r["importer"]: r for r in run_scenario(engine, s).as_dict()["by_product"]}
    # capacity 0.5 · 200 = 100, shared 1 : 3 between JPN (at risk 50) and KOR (150)
    assert rows["JPN"]["substitutable_usd"] == 25.0 and rows["KOR"]["substitutable_usd"] == 75.0
    assert rows["JPN"]["days_to_shortage"] == 0.0


def test_no_shortfall_means_no_shortage() -> None:
    engine = _engine([("CHN", "JPN", 10), ("AUS", "USA", 1000)])
    (row,) = run_scenario(engine, _scenario(RESTRICT)).as_dict()["by_product"]
    assert row["shortfall_usd"] == 0 and row["days_to_shortage"] is None
    assert row["lasts_beyond_measure"] is True


def test_import_ban_revenue_and_alternative_markets() -> None:
    engine = _engine(
        [("JPN", "CHN", 100), ("JPN", "KOR", 30), ("USA", "KOR", 70), ("AUS", "VNM", 50)]
    )
    ban = {"type": "import_ban", "by": "CHN", "products": ["811292"], "origins": ["JPN"],
           "start": "2023-08", "months": 12, "pretext": "quarantine"}  # fmt: skip
    (b,) = run_scenario(engine, _scenario(ban)).as_dict()["import_bans"]
    assert b["revenue_at_risk_usd"] == 100
    # KOR buys 70 elsewhere, VNM 50: a fifth of each can be won
    assert b["alternative_markets"] == [
        {"importer": "KOR", "headroom_usd": 14.0},
        {"importer": "VNM", "headroom_usd": 10.0},
    ]
    assert b["absorbable_usd"] == 24.0 and b["net_loss_usd"] == 76.0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"share_blocked": 1.5}, "measures[0].share_blocked"),
        ({"targets": ["Atlantis"]}, "measures[0].targets"),
        ({"pretext": "weather"}, "measures[0].pretext"),
        ({"products": ["81129"]}, "measures[0].products[0]"),
        ({"products": ["critical:japan/nothing"]}, "measures[0].products"),
        ({"type": "embargo"}, "measures[0].type"),
        ({"start": "2023-13"}, "measures[0].start"),
    ],
)
def test_bad_fields_are_named(change: dict, where: str) -> None:
    with pytest.raises(InputError) as err:
        _scenario({**RESTRICT, **change})
    assert err.value.column == where, str(err.value)


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    from econsec.scenarios import load_scenario

    bad = tmp_path / "s.yaml"
    bad.write_text("name: x\nbase_year: 2022\nmeasures: [\n  - oops: [\n")
    with pytest.raises(InputError, match=r"s\.yaml, line \d+: not valid YAML"):
        load_scenario(bad)


def test_firm_layer_cuts_the_blocked_share_largest_first() -> None:
    network = net(
        {"a": ("CHN", 100.0), "b": ("CHN", 100.0), "c": ("JPN", 200.0)},
        [("a", "c", "811292", 60.0, True), ("b", "c", "811292", 40.0, True)],
    )
    s = _scenario({**RESTRICT, "products": ["811292"], "share_blocked": 0.5})
    shock = scenario_shock(network, s)
    assert shock.cut.tolist() == [True, False]  # 60 of 100 covers the half
    impact = firm_impact(network, s)
    assert impact.most_affected[0][0] == "c" and 0 < impact.loss_share <= 1
    # by sector: the losses add up to the network's, each share of the sector's output
    assert abs(sum(v for _, v, _ in impact.by_sector) - impact.output_loss) < 1e-6
    assert impact.by_sector and all(0 < share <= 1 for _, _, share in impact.by_sector)


def test_people_business_capital_measures_set_levels() -> None:
    network = net(
        {"a": ("CHN", 100.0), "b": ("JPN", 100.0), "c": ("JPN", 100.0)},
        [("a", "b", "811292", 10.0, True)],
    )
    s = _scenario(
        {"type": "people", "by": "CHN", "against": "JPN", "sectors": ["C"], "severity": 0.5,
         "pretext": "security"},
        {"type": "business", "by": "CHN", "firms": ["c"], "kind": "suspension", "pretext": "safety"},
    )  # fmt: skip
    h0 = scenario_shock(network, s).h0
    assert h0.tolist() == [1.0, 0.95, 0.0]  # severity 0.5 · 0.1; c suspended
    cap = _scenario({"type": "capital", "by": "CHN", "against": "JPN", "instrument":
                     "investment", "amount_usd": 1e12, "pretext": "none"})  # fmt: skip
    assert np.all(scenario_shock(network, cap).h0[1:] == 0.0)


def test_cli_on_real_baci(tmp_path: Path, baci_dir: Path) -> None:
    ws = tmp_path / "ws"
    r = CliRunner().invoke(
        app,
        ["data", "import", "baci", str(baci_dir / "BACI_HS17_Y2022_V202601.csv"), "-w", str(ws)],
    )
    assert r.exit_code == 0, r.output
    scenario = tmp_path / "gage.yaml"
    scenario.write_text(
        "name: gallium and germanium licensing\nbase_year: 2022\nmeasures:\n"
        "  - {type: export_restriction, by: CHN, products: ['811292'], targets: [JPN],\n"
        "     share_blocked: 1.0, start: 2023-08, months: 12, pretext: security}\n"
    )
    r = CliRunner().invoke(
        app, ["scenario", "run", str(scenario), "-w", str(ws), "--format", "json",
              "--report", str(tmp_path / "s.html")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    (row,) = data["by_product"]
    assert row["importer"] == "JPN" and row["product"] == "811292"
    assert data["trade_at_risk_usd"] == row["trade_at_risk_usd"] > 0
    assert row["substitutable_usd"] + row["shortfall_usd"] == pytest.approx(
        row["trade_at_risk_usd"]
    )
    html = (tmp_path / "s.html").read_text()
    assert "Unmet demand per month" in html
    from shared_data import DATA

    wide = tmp_path / "wide.yaml"
    wide.write_text(scenario.read_text().replace("targets: [JPN]", "targets: [JPN, KOR, G7]"))
    r = CliRunner().invoke(
        app, ["scenario", "run", str(wide), "-w", str(ws), "--format", "json",
              "--mrio-dir", str(DATA / "wiod2013_mrio"), "--concordance",
              str(DATA / "hs_industry_concordances" / "hs6_isic3.csv.gz")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    sectors = json.loads(r.output)["sectors"]
    assert sectors["unit"] == "million USD" and sectors["total_output_loss"] > 0
    top = sectors["by_country_sector"][0]
    assert (top["country"], top["sector"]) == ("CHN", "c12") and top["output_loss"] > 0
    assert "No shortfall: no mitigation plan needed." in html  # others replace it all (2022)
    r = CliRunner().invoke(
        app,
        ["mitigate", "--importer", "JPN", "--product", "811292", "-w", str(ws), "--format", "json"],
    )
    assert r.exit_code == 0, r.output
    plan = json.loads(r.output)
    shares = plan["recommended"]["shares"]
    assert round(sum(shares.values()), 9) == 1.0  # exactly, after rounding
    assert max(shares.values()) <= 0.65 + 1e-6 and min(shares.values()) >= 0.02 - 1e-4
    assert len(shares) <= 8 and plan["excluded_groups"] == ["concern"]
    assert not set(shares) & {"CHN", "RUS", "IRN", "PRK"}
    r = CliRunner().invoke(
        app, ["mitigate", "--importer", "JPN", "--product", "811292", "-w", str(ws),
              "--exclude", "none", "--max-suppliers", "3", "--min-share", "0.1"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    table = [line.split() for line in r.output.splitlines()]
    rows = {
        t[0]: t[-2:] for t in table if len(t) >= 3 and t[-1].endswith("%") and t[-2][0].isdigit()
    }
    assert rows["total"] == ["100.0%", "100.0%"]
    chosen = [s for s, (_, new) in rows.items() if s != "total" and new != "0.0%"]
    assert 1 <= len(chosen) <= 3
