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
