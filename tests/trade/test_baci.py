"""BACI loader on the real BACI rows, written in the published CSV format."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from econsec.trade.baci import find_country_file, read_baci, read_country_codes
from shared_data import CMA


def _read(path: Path) -> pd.DataFrame:
    return pa.Table.from_batches(list(read_baci(path).batches)).to_pandas()


def test_reads_every_row_with_units_converted(baci_dir: Path) -> None:
    flows = _read(baci_dir / "BACI_HS17_Y2024_V202601.csv")
    source = pd.read_parquet(CMA / "pipeline_trade.parquet")
    assert len(flows) == len(source) == 21723
    assert flows.value_usd.sum() == pytest.approx(source.value_kusd.sum() * 1000, rel=1e-9)
    assert flows.quantity_kg.isna().sum() == source.qty_t.isna().sum()
    assert flows.quantity_kg.sum() == pytest.approx(source.qty_t.sum() * 1000, rel=1e-6)
    assert set(flows.hs_revision) == {"HS2017"}
    assert set(flows.reported_by) == {"reconciled"}
    assert flows.month.isna().all()


def test_taiwan_and_leading_zeros(baci_dir: Path) -> None:
    flows = _read(baci_dir / "BACI_HS17_Y2022_V202601.csv")
    assert "TWN" in set(flows.exporter)  # BACI code 490 "Other Asia, nes"
    assert "S19" not in set(flows.exporter) | set(flows.importer)
    assert (flows["product"].str.len() == 6).all()
    assert flows.quantity_kg.isna().all()  # empty q fields
    # China -> Japan 811292 in 2022: 24.6 M USD (PROVENANCE sanity check)
    chn_jpn = flows[
        (flows.exporter == "CHN") & (flows.importer == "JPN") & (flows["product"] == "811292")
    ]
    assert chn_jpn.value_usd.sum() == pytest.approx(24.6e6, rel=0.01)


def test_gzip_and_leading_zero_restored(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS92_Y1995_V202601.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("t,i,j,k,v,q\n1995,392,156,10121,12.5,   NA\n1995,490,392,850511,1,\n")
    (tmp_path / "country_codes_V202601.csv").write_bytes(
        (CMA / "country_codes_V202601.csv").read_bytes()
    )
    flows = pa.Table.from_batches(list(read_baci(path).batches)).to_pylist()
    assert [f["product"] for f in flows] == ["010121", "850511"]
    assert flows[0]["value_usd"] == 12500.0 and flows[0]["quantity_kg"] is None
    assert flows[1]["exporter"] == "TWN" and flows[1]["hs_revision"] == "HS1992"


def test_country_file_found_beside_data(baci_dir: Path) -> None:
    found = find_country_file(baci_dir / "BACI_HS17_Y2024_V202601.csv")
    assert found.name == "country_codes_V202601.csv"
    codes = read_country_codes(found)
    assert codes["392"] == "JPN" and codes["490"] == "TWN" and codes["516"] == "NAM"
