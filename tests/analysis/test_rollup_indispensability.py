"""Roll-up to critical groups, year comparison and indispensability on hand-made data."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from econsec.analysis import compare, indispensability, rollup
from econsec.storage import duckdb_engine


def test_rollup_counts_groups_and_values() -> None:
    rows = [
        {"importer": "JPN", "product": "850511", "flagged": True, "imports_usd": 10.0},
        {"importer": "JPN", "product": "850519", "flagged": False, "imports_usd": 5.0},
        {"importer": "JPN", "product": "811292", "flagged": True, "imports_usd": 7.0},
    ]
    summary = {s.group: s for s in rollup(rows, "japan", dt.date(2024, 6, 1))}
    magnets = summary["japan/permanent_magnets"]
    assert (magnets.products, magnets.traded, magnets.flagged) == (2, 2, ("850511",))
    assert magnets.imports_usd == 15.0 and magnets.flagged_imports_usd == 10.0
    assert summary["japan/critical_minerals"].flagged == ("811292",)
    assert summary["japan/cloud_programs"].products == 0
    assert len(summary) == 12  # the list in force on 2024-06-01


def test_compare_years() -> None:
    before = [
        {"importer": "JPN", "product": p, "flagged": f}
        for p, f in (("a", True), ("b", True), ("c", False))
    ]
    after = [
        {"importer": "JPN", "product": p, "flagged": f}
        for p, f in (("a", True), ("b", False), ("c", True))
    ]
    (change,) = compare(before, after)
    assert change.newly_flagged == ("c",) and change.no_longer_flagged == ("b",)
    assert change.still_flagged == ("a",)


def test_indispensability_by_hand() -> None:
    engine = duckdb_engine(None)
    rows = [
        ("CHN", "JPN", 80.0),
        ("KOR", "JPN", 20.0),
        ("CHN", "USA", 30.0),
        ("DEU", "USA", 70.0),
        ("CHN", "VNM", 60.0),
        ("KOR", "VNM", 40.0),
    ]
    engine.register(
        "flows",
        pa.table(
            {
                "year": [2024] * 6,
                "exporter": [r[0] for r in rows],
                "importer": [r[1] for r in rows],
                "product": ["850511"] * 6,
                "value_usd": [r[2] for r in rows],
            }
        ),
    )
    (found,) = indispensability(engine, "CHN", 2024)
    assert found.world_export_share == pytest.approx(170 / 300)
    assert [(d.importer, d.share) for d in found.dependent_importers] == [
        ("JPN", 0.8),
        ("VNM", 0.6),
    ]
    assert found.dependent_value_usd == 140.0
    assert indispensability(engine, "CHN", 2024, min_world_share=0.6) == ()
    (korea,) = indispensability(engine, "KOR", 2024, min_world_share=0.2)
    assert korea.dependent_importers == ()
