"""The CRMA Art. 5(1)(d) benchmark per material and processing stage, on apparent consumption:
computed where the data allow (a hand-worked case), and on the real data (BACI 2024 quantities,
USGS MCS 2026) every stage says why it cannot be computed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.analysis.crma import Stage, bloc_production, crma_benchmark, load_stages, read_usgs
from econsec.errors import ConfigError, InputError
from econsec.reference.countries import group_members
from econsec.storage.engines import duckdb_engine
from shared_data import DATA

USGS = DATA / "usgs_mcs2026_subset" / "mcs2026_world_production_reserves_subset.csv"
EU = group_members("EU27")


def _real_engine():  # type: ignore[no-untyped-def]
    import duckdb

    table = (
        duckdb.connect()
        .sql(
            "SELECT year, exporter, importer, hs6 AS product, value_kusd * 1000 AS value_usd, "
            "qty_t * 1000 AS quantity_kg FROM read_parquet($path)",
            params={"path": str(DATA / "critical_materials_atlas_baci" / "pipeline_trade.parquet")},
        )
        .to_arrow_table()
    )
    engine = duckdb_engine(None)
    engine.register("flows", table)
    return engine


def test_the_real_data_say_why_each_stage_cannot_be_computed() -> None:
    usgs = read_usgs(USGS)
    found = {(b.material, b.stage): b for b in crma_benchmark(_real_engine(), EU, 2024, usgs)}
    assert len(found) == len(load_stages()) == 24
    assert {b.status for b in found.values()} != {"computed"}
    gallium = found[("gallium", "processing")]
    assert "811292 also hold germanium" in gallium.status  # the 2023 licensing case's code
    # USGS lists no EU producer of gallium and "Other countries" as none: EU production is 0,
    # yet the shared code still stops the benchmark
    assert bloc_production(usgs[("Gallium", "Primary production", 2024)], EU) == 0.0
    lithium = found[("lithium", "extraction")]
    assert "also hold" in lithium.status  # 253090 is "other mineral substances"
    assert bloc_production(usgs[("Lithium", "Mine production", 2024)], EU) == 380.0  # Portugal
    cobalt = found[("cobalt", "extraction")]
    assert "Other countries" in cobalt.status  # Finland is not listed: 7,780 t "Other countries"
    assert found[("copper", "processing")].status == (
        "insufficient data: no production series for this stage"
    )
    assert all(b.status.startswith("insufficient data: ") for b in found.values())


def _engine(rows: list[tuple[str, str, float | None]]):  # type: ignore[no-untyped-def]
    engine = duckdb_engine(None)
    engine.register("flows", pa.table({
        "year": [2024] * len(rows), "exporter": [r[0] for r in rows],
        "importer": [r[1] for r in rows], "product": ["810820"] * len(rows),
        "value_usd": [1.0] * len(rows), "quantity_kg": [r[2] for r in rows],
    }))  # fmt: skip
    return engine


TITANIUM = Stage("titanium", "Titanium metal", "チタン金属", "processing", ("810820",),
                 "gross weight", production=("Titanium", "Sponge"), production_kg=1000.0,
                 production_basis="gross weight")  # fmt: skip


def test_apparent_consumption_by_hand() -> None:
    """EU production 0.5 t, imports CHN 800 kg and JPN 300 kg, exports 100 kg, intra-EU trade
    ignored: consumption 500 + 1100 - 100 = 1500 kg; China 800 / 1500 = 0.533, not flagged."""
    usgs = {("Titanium", "Sponge", 2024): {"France": 0.5, "Other countries": 0.0}}
    engine = _engine([("CHN", "DEU", 800.0), ("JPN", "FRA", 300.0), ("DEU", "USA", 100.0),
                      ("DEU", "FRA", 999.0)])  # fmt: skip
    (b,) = crma_benchmark(engine, EU, 2024, usgs, (TITANIUM,))
    assert (b.status, b.consumption_kg, b.top_supplier) == ("computed", 1500.0, "CHN")
    assert b.top_share == pytest.approx(800 / 1500) and b.flagged is False
    # a flow without a quantity: not computed, and said so
    (b,) = crma_benchmark(_engine([("CHN", "DEU", None)]), EU, 2024, usgs, (TITANIUM,))
    assert b.status == "insufficient data: some trade flows have no quantity"
    # a withheld member
    usgs = {("Titanium", "Sponge", 2024): {"France": None, "Other countries": 0.0}}
    (b,) = crma_benchmark(engine, EU, 2024, usgs, (TITANIUM,))
    assert "not shown" in b.status


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["CHN", "JPN", "USA", "DEU", "FRA"]),
                          st.sampled_from(["CHN", "JPN", "USA", "DEU", "FRA"]),
                          st.floats(1.0, 1e6)), min_size=1, max_size=12),
       st.floats(0.0, 1e6))  # fmt: skip
def test_a_share_of_consumption_is_a_share(rows: list[tuple[str, str, float]], made: float) -> None:
    rows = [r for r in rows if r[0] != r[1]]
    usgs = {("Titanium", "Sponge", 2024): {"Germany": made / 1000, "Other countries": 0.0}}
    (b,) = crma_benchmark(_engine(rows) if rows else _engine([("CHN", "JPN", 1.0)]), EU, 2024,
                          usgs, (TITANIUM,))  # fmt: skip
    if b.status == "computed":
        assert b.top_share is not None and b.top_share >= 0.0
        assert b.consumption_kg is not None and b.imports_kg is not None
        assert b.consumption_kg == pytest.approx(made + b.imports_kg - (b.exports_kg or 0.0))
        assert b.flagged == (b.top_share > 0.65)
    else:
        assert b.status == "insufficient data: apparent consumption is not positive"


def test_bad_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "usgs.csv"
    bad.write_text("commodity,country\nCobalt,Chile\n")
    with pytest.raises(InputError, match="missing columns"):
        read_usgs(bad)
    materials = tmp_path / "m.yaml"
    materials.write_text("- {material: x}\n")
    with pytest.raises(ConfigError, match="needs material, stage, hs6 and basis"):
        load_stages(materials)
