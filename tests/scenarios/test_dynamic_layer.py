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
