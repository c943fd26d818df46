"""Comtrade loader on the real raw Comtrade 2022 rows, both reporting sides."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from econsec.storage import Workspace, duckdb_engine, import_flows
from econsec.trade.comtrade import read_comtrade
from shared_data import CMA


def test_both_sides_kept_and_totals_only(comtrade_csv: Path) -> None:
    reading = read_comtrade(comtrade_csv)
    flows = pa.Table.from_batches(list(reading.batches)).to_pandas()
    assert set(flows.reported_by) == {"importer", "exporter"}
    assert reading.dropped["breakdown rows (motCode not 0)"] > 0
    assert reading.dropped["partner World or a non-country area"] > 0
    # An import declared by Japan (392) from China (156) is the flow CHN -> JPN, importer-reported.
    raw = pd.read_parquet(CMA / "comtrade_raw_2022_31hs6.parquet").drop_duplicates()
    jp = raw[
        (raw.reporter == 392) & (raw.partner == 156) & (raw.cmd == "811292") & (raw.flow == "M")
    ]
    got = flows[
        (flows.exporter == "CHN")
        & (flows.importer == "JPN")
        & (flows["product"] == "811292")
        & (flows.reported_by == "importer")
    ]
    assert got.value_usd.sum() == pytest.approx(jp.value.max())


def test_exact_duplicates_removed_and_mirror_rule(comtrade_csv: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    result = import_flows(ws, read_comtrade(comtrade_csv))
    assert result.duplicates_removed > 0
    both = duckdb_engine(ws).sql("SELECT count(*) AS n FROM flows").column("n")[0].as_py()
    best = (
        duckdb_engine(ws)
        .sql(
            """SELECT count(*) AS n FROM (SELECT DISTINCT year, exporter, importer,
                           product FROM flows)""",
        )
        .column("n")[0]
        .as_py()
    )
    assert both == best  # one row per flow after the mirror rule
    # Where the importer reported, its value is used.
    row = (
        duckdb_engine(ws)
        .sql(
            """SELECT reported_by FROM flows WHERE exporter = 'CHN' AND importer = 'JPN'
                          AND product = '811292'""",
        )
        .to_pylist()
    )
    assert row == [{"reported_by": "importer"}]


def test_exporter_side_is_the_fallback(tmp_path: Path) -> None:
    path = tmp_path / "api.csv"
    path.write_text(
        "period,reporterCode,partnerCode,cmdCode,flowCode,primaryValue,netWgt,classificationCode\n"
        "2023,156,392,811292,X,100,5,H6\n"  # China reports exports to Japan
        "2023,392,156,811292,M,120,6,H6\n"  # Japan reports imports from China
        "2023,156,410,811292,X,50,,H6\n"  # Korea did not report: exporter side only
        "202308,156,410,811292,X,7,,H6\n"  # monthly row
        "2023,156,0,811292,X,500,,H6\n"  # World: dropped
        "2023,156,410,811292,RX,9,,H6\n",  # re-export: dropped
        "utf-8",
    )
    ws = Workspace(tmp_path / "ws")
    import_flows(ws, read_comtrade(path))
    rows = (
        duckdb_engine(ws)
        .sql("SELECT importer, month, value_usd, reported_by FROM flows ORDER BY ALL")
        .to_pylist()
    )
    assert rows == [
        {"importer": "JPN", "month": None, "value_usd": 120.0, "reported_by": "importer"},
        {"importer": "KOR", "month": 8, "value_usd": 7.0, "reported_by": "exporter"},
        {"importer": "KOR", "month": None, "value_usd": 50.0, "reported_by": "exporter"},
    ]


def test_legacy_codes_and_names_and_dedupe(tmp_path: Path) -> None:
    # Comtrade's legacy partner codes (381 Italy, 736 Sudan before 2011, 530 the Netherlands
    # Antilles) and its abbreviated names are read through the country table; two values for
    # one flow fail naming both lines, and --dedupe keeps the largest.
    from typer.testing import CliRunner

    from econsec.cli import app

    path = tmp_path / "legacy.csv"
    path.write_text(
        "period,reporterCode,partnerCode,cmdCode,flowCode,primaryValue,classificationCode\n"
        "2010,392,381,811292,M,10,H3\n2010,392,736,811292,M,20,H3\n"
        "2010,392,530,811292,M,30,H3\n2010,392,381,811292,M,12,H3\n",
        "utf-8",
    )
    ws = tmp_path / "ws"
    refused = CliRunner().invoke(app, ["data", "import", "comtrade", str(path), "-w", str(ws)])
    assert refused.exit_code == 2
    assert "lines 2 and 5 give different values" in refused.output
    assert "--dedupe" in refused.output
    done = CliRunner().invoke(
        app, ["data", "import", "comtrade", str(path), "--dedupe", "-w", str(ws)]
    )
    assert done.exit_code == 0, done.output
    assert "1 rows giving a second value for a flow left out" in done.output
    flows = duckdb_engine(Workspace(ws)).sql("SELECT exporter, value_usd FROM flows").to_pylist()
    assert sorted((r["exporter"], r["value_usd"]) for r in flows) == [
        ("ANT", 30.0), ("ITA", 12.0), ("SDN", 20.0)
    ]  # fmt: skip
    names = tmp_path / "names.csv"
    names.write_text(
        "period,reporterISO,partnerISO,cmdCode,flowCode,primaryValue,classificationCode\n"
        "2010,Japan,Bosnia Herzegovina,811292,M,1,H3\n2010,Japan,Rep. of Korea,811292,M,2,H3\n",
        "utf-8",
    )
    read = pa.Table.from_batches(list(read_comtrade(names).batches)).to_pylist()
    assert sorted(r["exporter"] for r in read) == ["BIH", "KOR"]
