"""``econsec screen``, ``indispensable`` and ``report dependency`` on real BACI rows: the contracts."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from econsec.cli import app


@pytest.fixture(scope="module")
def ws(baci_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    for name in ("BACI_HS17_Y2022_V202601.csv", "BACI_HS17_Y2024_V202601.csv"):
        result = CliRunner().invoke(
            app, ["data", "import", "baci", str(baci_dir / name), "-w", str(folder)]
        )
        assert result.exit_code == 0, result.output
    return folder


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_has_help() -> None:
    for command in (
        ["screen"],
        ["indispensable"],
        ["report", "dependency"],
        ["data", "list"],
        ["data", "import", "baci"],
        ["demo"],
        ["reference", "catalogue"],
    ):
        assert "Usage" in _run(*command, "--help")


def test_screen_json_contract(ws: Path) -> None:
    rows = json.loads(
        _run(
            "screen",
            "--importer",
            "JPN",
            "--year",
            "2024",
            "--preset",
            "geodep",
            "--products",
            "critical:japan",
            "-w",
            str(ws),
            "--format",
            "json",
        )
    )
    assert rows and all(r["importer"] == "JPN" and r["year"] == 2024 for r in rows)
    for r in rows:
        for key in (
            "importer",
            "product",
            "year",
            "imports_usd",
            "n_suppliers",
            "hhi",
            "top_supplier",
            "top_share",
            "flagged",
            "criteria",
        ):
            assert key in r
        assert set(r["criteria"]) == {
            "C1_import_hhi",
            "C2_world_export_hhi",
            "C3_imports_over_exports",
            "C4_persistence",
        }
        for c in r["criteria"].values():
            assert {"value", "threshold", "met"} <= set(c)
    magnets = next(r for r in rows if r["product"] == "850511")
    assert magnets["criteria"]["C1_import_hhi"]["value"] == pytest.approx(magnets["hhi"])


def test_screen_all_importers_parquet_and_csv(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    _run(
        "screen",
        "--all-importers",
        "--year",
        "2024",
        "-w",
        str(ws),
        "--format",
        "parquet",
        "--output",
        str(out),
    )
    table = pq.read_table(out)
    assert table.num_rows > 2000 and "flagged" in table.column_names
    csv = _run(
        "screen",
        "--importer",
        "EU27",
        "--year",
        "2024",
        "--preset",
        "crma65",
        "-w",
        str(ws),
        "--format",
        "csv",
    )
    assert csv.splitlines()[0].startswith('"importer","product","year"')


def test_screen_table_and_bad_options(ws: Path) -> None:
    out = _run("screen", "--importer", "JPN", "--year", "2024", "-w", str(ws), "--preset", "crma65")
    assert "flagged" in out and "850511" not in out.split("flagged")[0]
    result = CliRunner().invoke(app, ["screen", "--year", "2024", "-w", str(ws)])
    assert result.exit_code == 2 and "--importer" in result.output
    result = CliRunner().invoke(
        app, ["screen", "--importer", "JPN", "--year", "2019", "-w", str(ws)]
    )
    assert result.exit_code == 3 and "no source" in result.output and "2022, 2024" in result.output
    result = CliRunner().invoke(
        app,
        ["screen", "--importer", "JPN", "--year", "2024", "-w", str(ws), "--threshold", "hhi=x"],
    )
    assert result.exit_code == 2 and "NAME=NUMBER" in result.output


def test_indispensable_json_contract(ws: Path) -> None:
    rows = json.loads(
        _run(
            "indispensable", "--country", "CHN", "--year", "2024", "-w", str(ws), "--format", "json"
        )
    )
    magnets = next(r for r in rows if r["product"] == "850511")
    assert magnets["world_export_share"] > 0.5
    importers = magnets["dependent_importers"]
    assert {"importer", "share", "imports_usd"} <= set(importers[0])
    assert importers and all(d["share"] > 0.5 for d in importers)
    values = [d["from_country_usd"] for d in importers]
    assert values == sorted(values, reverse=True)
    assert "CHN" not in {
        d["importer"] for d in importers
    }  # the country itself is not an importer here
    japan = json.loads(
        _run(
            "indispensable",
            "--country",
            "JPN",
            "--year",
            "2024",
            "-w",
            str(ws),
            "--format",
            "json",
            "--min-share",
            "0.2",
        )
    )
    assert japan and all(r["world_export_share"] >= 0.2 for r in japan)


def test_report_dependency(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    _run(
        "report",
        "dependency",
        "--importer",
        "JPN",
        "--year",
        "2024",
        "--output",
        str(out),
        "-w",
        str(ws),
        "--preset",
        "crma65",
    )
    html = out.read_text("utf-8")
    for title in (
        "Supplier shares of flagged products",
        "Distribution of import concentration",
        "Flagged products by year",
        "Critical product groups",
    ):
        assert title in html
    assert html.count("Method: crma65/v1") == 4
    assert "BACI_HS17_Y2024_V202601.csv" in html  # data source named in every caption


def test_crma_json_contract_on_real_data(ws: Path) -> None:
    """On BACI 2024 with USGS's production: one row per material and stage, each computed or
    saying why not (here: never computed; see tests/analysis/test_crma.py)."""
    from shared_data import DATA

    usgs = DATA / "usgs_mcs2026_subset" / "mcs2026_world_production_reserves_subset.csv"
    rows = json.loads(_run("crma", "--year", "2024", "--production", str(usgs), "-w", str(ws),
                           "--format", "json"))  # fmt: skip
    assert len(rows) == 24 and {r["bloc"] for r in rows} == {"EU27"}
    gallium = next(r for r in rows if r["material"] == "gallium")
    assert gallium["status"].startswith("insufficient data: 811292 also hold germanium")
    assert {"top_share", "consumption_kg", "flagged", "name_ja", "hs6"} <= set(gallium)
    assert "Titanium metal (チタン金属), processing" in _run(
        "crma", "--year", "2024", "-w", str(ws)
    )
    ja = _run("--lang", "ja", "crma", "--year", "2024", "--production", str(usgs), "-w", str(ws))
    assert "見かけ消費量に占める最大の第三国シェア" in ja and "insufficient" not in ja
    assert "ガリウム (Gallium), 加工: データ不足: 811292 には germanium" in ja


def test_names_beside_codes_in_both_languages_and_reasons_for_an_empty_screen(ws: Path) -> None:
    # GeoDep needs three consecutive years; 2023 is missing: nothing is flagged, and the table
    # says which criterion is undecided and why, in the reader's language.
    out = _run("--lang", "ja", "screen", "--importer", "JPN", "--year", "2024", "-w", str(ws))
    assert "該当はありません" in out and "判定不能 30" in out
    assert "データ不足：対象年とその前の2年のデータが必要です" in out
    out = _run("--lang", "ja", "screen", "--importer", "JPN", "--year", "2024", "--preset",
               "meti", "-w", str(ws))  # fmt: skip
    assert "JPN 日本" in out and "CHN 中国" in out and "マグネシウム金属" in out
    assert "最大供給国" in out and "経済産業省『通商白書2024』" in out
    rows = json.loads(_run("screen", "--importer", "JPN", "--year", "2024", "--preset", "meti",
                           "-w", str(ws), "-f", "json"))  # fmt: skip
    magnesium = next(r for r in rows if r["product"] == "810411")
    assert magnesium["importer_name"] == "Japan" and magnesium["top_supplier_name"] == "China"
    assert magnesium["product_name"].startswith("Magnesium; unwrought")
    assert all(r["product_name"] for r in rows)


def test_product_codes_are_checked_with_a_suggestion(ws: Path) -> None:
    result = CliRunner().invoke(app, ["screen", "--importer", "JPN", "--year", "2024",
                                      "--products", "811298", "-w", str(ws)])  # fmt: skip
    assert result.exit_code == 2
    assert "HS code '811298' is in no HS revision" in result.output
    assert "did you mean 811299" in result.output


def test_a_year_without_data_is_a_gap_and_an_empty_screen_draws_no_chart(
    ws: Path, tmp_path: Path
) -> None:
    import re

    out = tmp_path / "gaps.html"
    _run("report", "dependency", "--importer", "JPN", "--year", "2024", "--preset", "crma65",
         "--output", str(out), "-w", str(ws))  # fmt: skip
    html = out.read_text("utf-8")
    assert "No data for 2023: shown as gaps, not zeros." in html
    rows = re.findall(r"<tr><td>(20\d\d)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>",
                      html)  # fmt: skip
    by_year = {y: rest for y, *rest in rows}
    assert by_year["2023"] == ["–", "–", "–"]  # not zeros
    assert by_year["2024"][1:] == ["–", "–"]  # no comparison across the gap
    # GeoDep flags nothing without three consecutive years: no empty supplier chart, a reason
    empty = tmp_path / "empty.html"
    _run("--lang", "ja", "report", "dependency", "--importer", "JPN", "--year", "2024",
         "--output", str(empty), "-w", str(ws))  # fmt: skip
    html = empty.read_text("utf-8")
    assert "該当品目の供給国シェア" not in html and "(, 2024)" not in html
    assert "該当はありません" in html and "判定不能 30" in html
    assert '<html lang="ja">' in html
