"""``econsec network`` and ``econsec sectors``: the JSON contracts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from econsec.cli import app
from econsec.synthetic import generate_world, write_world
from shared_data import DATA


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    paths = write_world(generate_world(n_filler_products=5), tmp_path_factory.mktemp("world"))
    return str(paths["firms"]), str(paths["links"])


def _json(*args: str) -> object:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_esri_top(files: tuple[str, str]) -> None:
    rows = _json("network", "esri", "--firms", files[0], "--links", files[1], "--top", "5")
    assert isinstance(rows, list) and len(rows) == 5
    assert set(rows[0]) == {"firm_id", "esri", "error_bound"}
    assert [r["esri"] for r in rows] == sorted((r["esri"] for r in rows), reverse=True)
    assert all(0 <= r["esri"] <= 1 and 0 <= r["error_bound"] <= 1e-6 for r in rows)


def test_esri_refuses_a_bad_tolerance(files: tuple[str, str]) -> None:
    args = ["network", "esri", "--firms", files[0], "--links", files[1], "--tol", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--tol 0" in result.output


def test_exposure_and_inspect(files: tuple[str, str]) -> None:
    rows = _json(
        "network", "exposure", "--firms", files[0], "--links", files[1], "--firm", "F30000"
    )
    assert isinstance(rows, list) and rows
    for r in rows:
        assert 0 <= r["tier1_share"] <= r["any_tier_share"] + 1e-12 <= 1 + 1e-9
    info = _json("network", "inspect", "--firms", files[0], "--links", files[1])
    assert isinstance(info, dict) and info["firms"] == 340 and info["shared_hidden_suppliers"]


def test_sectors_extract_contract() -> None:
    data = _json(
        "sectors",
        "extract",
        "--mrio-dir",
        str(DATA / "wiod2013_mrio"),
        "--year",
        "2011",
        "--from",
        "CHN",
        "--to",
        "JPN",
    )
    assert (
        isinstance(data, dict) and data["total_output_loss"] > 0 and data["unit"] == "million USD"
    )
    first = data["by_country_sector"][0]
    assert set(first) == {"country", "sector", "output_loss"}
    assert sum(r["output_loss"] for r in data["by_country_sector"]) == pytest.approx(
        data["total_output_loss"]
    )
    result = CliRunner().invoke(
        app,
        [
            "sectors",
            "extract",
            "--mrio-dir",
            str(DATA / "wiod2013_mrio"),
            "--year",
            "2011",
            "--from",
            "XXX",
            "--to",
            "JPN",
        ],
    )
    assert result.exit_code == 3 and "no country 'XXX'" in result.output
