"""Mapped tables: Korea Customs monthly (HS10, country names, wide layout) and FAOSTAT."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from econsec.errors import ConfigError
from econsec.storage import Workspace, duckdb_engine, import_flows
from econsec.trade.mapped import parse_mapping, read_table
from shared_data import DATA

KCS = (
    DATA
    / "korea_japan_semiconductor_materials"
    / "kcs_korea_monthly_hs10_by_country_2000_2021.parquet"
)
FAO = DATA / "faostat_trade_matrix_top_partners" / "faostat_tm_top_partners.parquet"
KCS_MAPPING = {
    "source": "kcs",
    "product_digits": 10,
    "missing_country": "drop",
    "hs_revision": "HS2017",
    "columns": {
        "year": "year",
        "month": "month",
        "reporter": "reporter",
        "partner": "partner",
        "product": "hs10",
        "import_value": "import_usd",
        "export_value": "export_usd",
        "import_quantity": "import_kg",
        "export_quantity": "export_kg",
    },
}


def test_korea_customs_hydrogen_fluoride(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    reading = read_table(KCS, parse_mapping(KCS_MAPPING))
    result = import_flows(ws, reading)
    assert result.dropped == {"rows without a country": 10}  # 5 blank partners, both directions
    hf = (
        duckdb_engine(ws)
        .sql(
            """SELECT month, value_usd FROM flows WHERE exporter = 'JPN' AND importer = 'KOR'
                         AND product = '281111' AND year = 2019 ORDER BY month""",
        )
        .to_pylist()
    )
    by_month = {r["month"]: r["value_usd"] for r in hf}
    # PROVENANCE: 5.29 M USD in Jun 2019, 0.96 M in Jul, 0 in Aug and Sep.
    assert by_month[6] == pytest.approx(5.29e6, rel=0.01)
    assert by_month[7] == pytest.approx(0.96e6, rel=0.02)
    assert by_month[8] == 0 and by_month[9] == 0


def test_hs10_lines_summed_to_hs6(tmp_path: Path) -> None:
    raw = pd.read_parquet(KCS)
    memory = raw[
        raw.hs10.str.startswith("854232")
        & (raw.partner == "China")
        & (raw.year == 2020)
        & (raw.month == 1)
    ]
    ws = Workspace(tmp_path / "ws")
    import_flows(ws, read_table(KCS, parse_mapping(KCS_MAPPING)))
    got = (
        duckdb_engine(ws)
        .sql(
            """SELECT value_usd FROM flows WHERE exporter = 'CHN' AND importer = 'KOR'
                          AND product = '854232' AND year = 2020 AND month = 1""",
        )
        .to_pylist()
    )
    assert got == [{"value_usd": float(memory.import_usd.sum())}]


def test_faostat_items_in_kusd() -> None:
    mapping = parse_mapping(
        {
            "source": "faostat",
            "product_classification": "FAOSTAT item",
            "value_unit": "kusd",
            "columns": {
                "year": "year",
                "reporter": "reporter_iso3",
                "partner": "partner_iso3",
                "flow": "element",
                "value": "value_kusd",
                "product": "item",
            },
            "flow_codes": {"import": ["Import value"], "export": ["Export value"]},
        }
    )
    flows = pa.Table.from_batches(list(read_table(FAO, mapping).batches)).to_pandas()
    raw = pd.read_parquet(FAO)
    assert len(flows) == len(raw)
    assert flows.value_usd.sum() == pytest.approx(raw.value_kusd.sum() * 1e3)
    # China's imports of barley from Australia in 2019, as China reported them (before the 2020 duties)
    declared = raw[
        (raw.reporter_iso3 == "CHN")
        & (raw.partner_iso3 == "AUS")
        & (raw.year == 2019)
        & (raw.element == "Import value")
        & (raw.item.astype(str) == "Barley")
    ]
    got = flows[
        (flows.importer == "CHN")
        & (flows.exporter == "AUS")
        & (flows.year == 2019)
        & (flows["product"] == "Barley")
        & (flows.reported_by == "importer")
    ]
    assert got.value_usd.tolist() == [float(declared.value_kusd.sum() * 1000)] == [662_366_000.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "baci"}, "reserved"),
        ({"columns": {"year": "year"}}, "product"),
        ({"value_unit": "yen"}, "value_unit"),
        ({"columns": {**KCS_MAPPING["columns"], "colour": "x"}}, "unknown field"),
    ],
)
def test_bad_mappings_are_named(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_mapping({**KCS_MAPPING, **change})
