"""Two engines, one answer: the screen on Spark (local mode) equals the screen on DuckDB."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from econsec.analysis import Importer, Screen, preset, run_screen
from econsec.reference.countries import load_groups
from econsec.storage import Workspace, duckdb_engine, import_flows, spark_engine
from econsec.trade.baci import read_baci


@pytest.fixture(scope="module")
def workspace(baci_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("ws"))
    for name in ("BACI_HS17_Y2022_V202601.csv", "BACI_HS17_Y2024_V202601.csv"):
        import_flows(ws, read_baci(baci_dir / name))
    return ws


def _same(a: list[dict[str, object]], b: list[dict[str, object]]) -> None:
    assert len(a) == len(b) > 0
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for key in x:
            u, v = x[key], y[key]
            if isinstance(u, float) and isinstance(v, float):
                assert math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12), (key, x, y)
            else:
                assert u == v, (key, x, y)


@pytest.mark.parametrize("preset_name", ["geodep", "eu2021", "crma65"])
def test_spark_equals_duckdb(workspace: Workspace, spark_conf: None, preset_name: str) -> None:
    groups = load_groups()
    importers = (Importer("JPN", frozenset({"JPN"})), Importer("EU27", groups["EU27"].members))
    screens = [
        Screen(
            importers,
            2024,
            preset(preset_name),
            concern=groups["concern"].members,
            like_minded=groups["like_minded"].members,
        ),
        Screen(None, 2024, preset(preset_name)),
    ]
    spark = spark_engine(workspace, master="local[2]")
    duck = duckdb_engine(workspace)
    for screen in screens:
        _same(run_screen(duck, screen).to_pylist(), run_screen(spark, screen).to_pylist())
