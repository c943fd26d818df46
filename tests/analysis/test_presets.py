"""Presets on hand-made flows whose verdicts can be worked out by hand."""

from __future__ import annotations

import pyarrow as pa
import pytest

from econsec.analysis import Importer, Screen, criteria_of, preset, run_screen
from econsec.analysis.presets import PRESETS, parse_presets
from econsec.errors import ConfigError, NotFoundError
from econsec.storage import DuckDBEngine, duckdb_engine

JPN = (Importer("JPN", frozenset({"JPN"})),)


def _con(rows: list[tuple[int, str, str, str, float]]) -> DuckDBEngine:
    con = duckdb_engine(None)
    table = pa.table(
        {
            k: [r[i] for r in rows]
            for i, k in enumerate(("year", "exporter", "importer", "product", "value_usd"))
        }
    )
    con.register("flows", table)
    return con


def _world(
    year: int, japan_from_china: float, japan_exports: float
) -> list[tuple[int, str, str, str, float]]:
    # JPN imports 811292 from CHN and KOR; world exports dominated by CHN.
    return [
        (year, "CHN", "JPN", "811292", japan_from_china),
        (year, "KOR", "JPN", "811292", 100.0),
        (year, "JPN", "USA", "811292", japan_exports),
        (year, "CHN", "USA", "811292", 5000.0),
    ]


def test_geodep_needs_two_of_three_years() -> None:
    # 2022: concentrated (900/1000); 2023: not (100/200 -> HHI 0.5? no: 100,100 -> 0.5); 2024: concentrated
    rows = _world(2022, 900.0, 0.0) + _world(2023, 900.0, 5000.0) + _world(2024, 900.0, 0.0)
    (row,) = run_screen(_con(rows), Screen(JPN, 2024, preset("geodep"))).to_pylist()
    c = criteria_of(row, preset("geodep"))
    # HHI = 0.9^2 + 0.1^2 = 0.82; world HHI: CHN 5900 (2024), JPN 0, KOR 100 -> high
    assert c["C1_import_hhi"]["value"] == pytest.approx(0.82)
    assert c["C3_imports_over_exports"]["value"] is None and c["C3_imports_over_exports"]["met"]
    assert row["persistence"] == 2  # 2023 fails C3 (exports 5000 > imports 1000)
    assert c["C4_persistence"]["met"] and row["flagged"]
    strict = preset("geodep", {"C4_persistence": 3})
    (row,) = run_screen(_con(rows), Screen(JPN, 2024, strict)).to_pylist()
    assert not row["flagged"] and row["method"] == "geodep/v1+custom"


def test_geodep_with_one_year_is_insufficient_data() -> None:
    (row,) = run_screen(
        _con(_world(2024, 900.0, 0.0)), Screen(JPN, 2024, preset("geodep"))
    ).to_pylist()
    c = criteria_of(row, preset("geodep"))
    assert c["C4_persistence"]["met"] is None and "insufficient data" in c["C4_persistence"]["note"]
    assert row["flagged"] is False


def test_crma65_and_meti() -> None:
    rows = _world(2024, 600.0, 0.0)  # CHN share 600/700 = 0.857
    (row,) = run_screen(_con(rows), Screen(JPN, 2024, preset("crma65"))).to_pylist()
    assert row["flagged"] and row["single_supplier_share__value"] == pytest.approx(6 / 7)
    (row,) = run_screen(
        _con(rows), Screen(JPN, 2024, preset("crma65", {"single_supplier_share": 0.9}))
    ).to_pylist()
    assert not row["flagged"]
    con = _con(rows)
    con.register(
        "production",
        pa.table(
            {"importer": ["JPN"], "product": ["811292"], "year": [2024], "production_usd": [1300.0]}
        ),
    )
    # METI 2024: HHI (6/7)^2 + (1/7)^2 = 0.755 >= 0.5, and CHN supplies more than half
    (row,) = run_screen(con, Screen(JPN, 2024, preset("meti"), production="production")).to_pylist()
    c = criteria_of(row, preset("meti"))
    assert c["concentration"]["value"] == pytest.approx(37 / 49) and row["flagged"]
    assert c["majority_supplier"]["value"] == pytest.approx(6 / 7)
    # domestic use = 1300 + 700 - 0 = 2000; CHN 600 -> 0.3 (reported beside, not a criterion)
    assert row["single_source_share"] == pytest.approx(0.3)
    # METI 2022: imports 700 / production 1300 < 1: Japan could replace them, not flagged
    (row,) = run_screen(
        con, Screen(JPN, 2024, preset("meti2022"), production="production")
    ).to_pylist()
    c = criteria_of(row, preset("meti2022"))
    assert c["imports_over_production"]["value"] == pytest.approx(7 / 13) and not row["flagged"]
    # without production data the criterion is undecided, not a silent pass or fail
    (row,) = run_screen(_con(rows), Screen(JPN, 2024, preset("meti2022"))).to_pylist()
    c = criteria_of(row, preset("meti2022"))
    assert c["imports_over_production"]["met"] is None and row["flagged"] is False
    assert "insufficient data" in c["imports_over_production"]["note"]
    # no domestic production at all: fully dependent
    con.register(
        "none_made",
        pa.table({"importer": ["JPN"], "product": ["811292"], "year": [2024],
                  "production_usd": [0.0]}),
    )  # fmt: skip
    (row,) = run_screen(
        con, Screen(JPN, 2024, preset("meti2022"), production="none_made")
    ).to_pylist()
    assert row["flagged"]


def test_eu2021_for_a_group() -> None:
    eu = (Importer("EU2", frozenset({"DEU", "FRA"})),)
    rows = [
        (2024, "CHN", "DEU", "850511", 800.0),
        (2024, "JPN", "FRA", "850511", 100.0),
        (2024, "FRA", "DEU", "850511", 300.0),  # intra-group: excluded from imports
        (2024, "DEU", "USA", "850511", 50.0),
    ]
    (row,) = run_screen(_con(rows), Screen(eu, 2024, preset("eu2021"))).to_pylist()
    c = criteria_of(row, preset("eu2021"))
    assert row["imports_usd"] == 900.0 and row["top_supplier"] == "CHN"
    assert c["concentration"]["value"] == pytest.approx((8 / 9) ** 2 + (1 / 9) ** 2)
    assert c["extra_bloc_share"]["value"] == pytest.approx(900 / 1200)
    assert c["imports_over_exports"]["value"] == pytest.approx(900 / 350)
    assert row["flagged"]


def test_unknown_preset_and_criterion() -> None:
    with pytest.raises(NotFoundError, match="no preset 'oecd'"):
        preset("oecd")
    with pytest.raises(NotFoundError, match="no criterion hhi"):
        preset("geodep", {"hhi": 0.3})


def test_the_registry_holds_the_published_thresholds() -> None:
    """The packaged registry against the sources' own numbers (SWD(2021) 352: HHI > 0.4,
    share > 0.5, ratio > 1; GeoDep: C1-C3 at 0.4, 0.4, 1 and 2 of 3 years; CRMA Art. 5(1)(d):
    65 %; METI 2024: HHI of at least 50 on 0-100 and a majority share; METI 2022: the EU
    method with domestic production)."""
    published = {
        "eu2021": {"concentration": 0.4, "extra_bloc_share": 0.5, "imports_over_exports": 1.0},
        "geodep": {"C1_import_hhi": 0.4, "C2_world_export_hhi": 0.4,
                   "C3_imports_over_exports": 1.0, "C4_persistence": 2.0},
        "crma65": {"single_supplier_share": 0.65},
        "meti": {"concentration": 0.5, "majority_supplier": 0.5},
        "meti2022": {"concentration": 0.4, "imports_over_production": 1.0},
    }  # fmt: skip
    found = {
        name: {c.name: c.threshold for c in (*p.criteria, *([p.persistence] * bool(p.persistence)))}
        for name, p in PRESETS.items()
    }
    assert found == published
    versions = {name: p.method_version for name, p in PRESETS.items()}
    assert versions == {"eu2021": "eu2021/v1", "geodep": "geodep/v1", "crma65": "crma65/v1",
                        "meti": "meti/v2", "meti2022": "meti2022/v1"}  # fmt: skip
    assert all(p.source for p in PRESETS.values())
    assert preset("meti").criteria[0].inclusive  # "HHI 50 or more"


@pytest.mark.parametrize(
    ("document", "fault"),
    [
        ([], "expected a list of presets"),
        ([{"id": "x", "version": "1", "title": "t", "source": "s", "criteria": []}], "criteria"),
        ([{"id": "Bad Id", "version": "1", "title": "t", "source": "s",
           "criteria": [{"name": "a", "value": "hhi", "threshold": 0.4}]}], "a new id"),
        ([{"id": "x", "version": "1", "title": "t", "source": "s",
           "criteria": [{"name": "a", "value": "hhi", "threshold": "high"}]}], "a number"),
    ],
)  # fmt: skip
def test_a_bad_registry_names_the_entry(document: object, fault: str) -> None:
    with pytest.raises(ConfigError, match=fault):
        parse_presets(document, "mine.yaml")
