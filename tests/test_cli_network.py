"""``econsec network`` and ``econsec sectors``: the JSON contracts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

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
    assert set(rows[0]) == {"firm_id", "esri", "error_bound", "certified"}
    assert [r["esri"] for r in rows] == sorted((r["esri"] for r in rows), reverse=True)
    assert all(0 <= r["esri"] <= 1 and 0 <= r["error_bound"] <= 1e-6 for r in rows)


REFERENCE = DATA / "esri_reference"


@pytest.mark.parametrize("folder", ["tier30", "hub200", "tier200", "tier200z"])
def test_esri_matches_the_authors_outputs(folder: str) -> None:
    """The command's default is the published rule; --replaceability adds the paper's supplier
    replaceability: both match GLcascade 0.9.3.1's outputs to 1e-6."""
    files = ["--firms", str(REFERENCE / folder / "firms.csv"),
             "--links", str(REFERENCE / folder / "links.csv")]  # fmt: skip
    for flags, name in (
        ([], "reference.csv"),
        (["--replaceability"], "reference_replaceability.csv"),
    ):
        rows = _json("network", "esri", *files, *flags)
        assert isinstance(rows, list)
        with (REFERENCE / folder / name).open() as f:
            want = {r["firm_id"]: float(r["esri"]) for r in csv.DictReader(f)}
        assert {r["firm_id"] for r in rows} == set(want)
        assert all(r["certified"] for r in rows)
        assert max(abs(r["esri"] - want[r["firm_id"]]) for r in rows) <= 1e-6


def test_esri_without_products_groups_inputs_by_the_suppliers_sector(tmp_path: Path) -> None:
    """The reference's links name each input by its supplier's sector: left out, the same."""
    with (REFERENCE / "tier200z" / "links.csv").open() as f:
        rows = list(csv.DictReader(f))
    links = tmp_path / "links.csv"
    with links.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["supplier_id", "buyer_id", "value", "essential"])
        w.writerows([r["supplier_id"], r["buyer_id"], r["value"], r["essential"]] for r in rows)
    args = ["network", "esri", "--firms", str(REFERENCE / "tier200z" / "firms.csv")]
    without = _json(*args, "--links", str(links))
    with_products = _json(*args, "--links", str(REFERENCE / "tier200z" / "links.csv"))
    assert without == with_products


def test_esri_models_differ_and_are_named(files: tuple[str, str]) -> None:
    args = ["network", "esri", "--firms", files[0], "--links", files[1]]
    published = {r["firm_id"]: r["esri"] for r in _json(*args)}  # type: ignore[union-attr]
    coupled = {r["firm_id"]: r["esri"] for r in _json(*args, "--model", "coupled")}  # type: ignore[union-attr]
    assert all(coupled[f] >= published[f] - 2e-6 for f in published)
    assert sum(coupled[f] > published[f] + 1e-3 for f in published) > 10
    result = CliRunner().invoke(app, [*args, "--model", "glcascade"])
    assert result.exit_code == 2 and "published or coupled" in result.output


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
    assert set(first) == {"country", "sector", "output_loss", "country_name", "sector_name"}
    assert first["sector_name"] and first["country_name"]  # names beside the codes
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
