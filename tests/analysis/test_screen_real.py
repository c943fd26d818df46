"""Screens on the complete BACI rows for 31 critical-mineral codes, checked against pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from econsec.analysis import Importer, Screen, concentration, preset, run_screen
from econsec.reference.countries import load_groups
from econsec.storage import DuckDBEngine, Workspace, duckdb_engine, import_flows
from econsec.trade.baci import read_baci
from shared_data import CMA

EU27 = load_groups()["EU27"].members


@pytest.fixture(scope="module")
def con(baci_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DuckDBEngine:
    ws = Workspace(tmp_path_factory.mktemp("ws"))
    for name in ("BACI_HS17_Y2022_V202601.csv", "BACI_HS17_Y2024_V202601.csv"):
        import_flows(ws, read_baci(baci_dir / name))
    return duckdb_engine(ws)


def _expected(year: int, importer: set[str], product: str) -> dict[str, object]:
    """The metrics computed independently with pandas from the staged BACI parquet files."""
    if year == 2024:
        raw = pd.read_parquet(CMA / "pipeline_trade.parquet")
        raw = raw.rename(columns={"exporter": "i", "importer": "j", "hs6": "cmd"})
        raw["value"] = raw.value_kusd * 1000
    else:
        raw = pd.read_parquet(CMA / "baci_2022_31hs6.parquet")
    raw = raw.replace({"i": {"S19": "TWN"}, "j": {"S19": "TWN"}})  # BACI's code for Taiwan
    rows = raw[(raw.cmd == product) & raw.j.isin(importer) & ~raw.i.isin(importer)]
    by = rows.groupby("i").value.sum()
    shares = by / by.sum()
    exports = raw[(raw.cmd == product) & raw.i.isin(importer) & ~raw.j.isin(importer)].value.sum()
    world = raw[raw.cmd == product].groupby("i").value.sum()
    return {
        "imports_usd": by.sum(),
        "n_suppliers": int((by > 0).sum()),
        "hhi": float((shares**2).sum()),
        "top_supplier": shares.idxmax(),
        "top_share": float(shares.max()),
        "exports_usd": exports,
        "world_export_hhi": float(((world / world.sum()) ** 2).sum()),
    }


@pytest.mark.parametrize("year", [2022, 2024])
@pytest.mark.parametrize("product", ["850511", "811292", "280530", "250490"])
def test_japan_against_pandas(con: DuckDBEngine, year: int, product: str) -> None:
    got = concentration(
        con, (Importer("JPN", frozenset({"JPN"})),), (year,), products=frozenset({product})
    ).to_pylist()
    if product == "280530":  # not among the 31 codes: nothing to screen
        assert got == []
        return
    want = _expected(year, {"JPN"}, product)
    (row,) = got
    for key, value in want.items():
        assert row[key] == (
            pytest.approx(value, rel=1e-9) if isinstance(value, float) else value
        ), key


def test_japan_gallium_germanium_2022_is_led_by_china(con: DuckDBEngine) -> None:
    (row,) = concentration(
        con, (Importer("JPN", frozenset({"JPN"})),), (2022,), products=frozenset({"811292"})
    ).to_pylist()
    assert row["top_supplier"] == "CHN"
    assert row["imports_usd"] * row["top_share"] == pytest.approx(24.6e6, rel=0.01)


@pytest.mark.parametrize("product", ["850511", "811292", "250490", "283691"])
def test_eu27_is_extra_eu(con: DuckDBEngine, product: str) -> None:
    (row,) = concentration(
        con, (Importer("EU27", EU27),), (2024,), products=frozenset({product})
    ).to_pylist()
    want = _expected(2024, set(EU27), product)
    assert row["importer"] == "EU27"
    assert row["imports_usd"] == pytest.approx(want["imports_usd"], rel=1e-9)
    assert row["hhi"] == pytest.approx(want["hhi"], rel=1e-9)
    assert row["top_supplier"] == want["top_supplier"]
    assert row["top_supplier"] not in EU27


def test_eu_magnets_flagged_under_eu2021_and_crma(con: DuckDBEngine) -> None:
    importers = (Importer("EU27", EU27),)
    for name in ("eu2021", "crma65"):
        rows = run_screen(
            con, Screen(importers, 2024, preset(name), products=frozenset({"850511"}))
        )
        (row,) = rows.to_pylist()
        assert row["top_supplier"] == "CHN" and row["flagged"], (name, row)


def test_all_importers_matches_single_importer(con: DuckDBEngine) -> None:
    every = concentration(con, None, (2024,)).to_pandas()
    japan = concentration(con, (Importer("JPN", frozenset({"JPN"})),), (2024,)).to_pandas()
    subset = every[every.importer == "JPN"].reset_index(drop=True)
    pd.testing.assert_frame_equal(subset, japan.reset_index(drop=True), check_dtype=False)
    assert every.importer.nunique() > 150
