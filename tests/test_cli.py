"""The command line: help texts, reference look-ups and the demo on the synthetic world."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from econsec.cli import app


def test_data_help_names_the_importers() -> None:
    result = CliRunner().invoke(app, ["data", "import", "--help"])
    assert result.exit_code == 0
    for name in ("baci", "comtrade", "table"):
        assert name in result.output


def test_reference_commands() -> None:
    result = CliRunner().invoke(
        app, ["reference", "catalogue", "japan", "--on", "2023-01-01", "--format", "json"]
    )
    assert result.exit_code == 0
    groups = json.loads(result.output)
    assert len(groups) == 11 and all(g["source"] for g in groups)
    result = CliRunner().invoke(app, ["reference", "hs6", "850511"])
    assert "japan/permanent_magnets" in result.output
    result = CliRunner().invoke(app, ["reference", "catalogue", "nowhere"])
    assert result.exit_code == 3 and "no critical product list 'nowhere'" in result.output


def test_demo_end_to_end(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run = subprocess.run(
        [sys.executable, "-m", "econsec", "demo", "--workspace", str(ws)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "synthetic" in run.stdout and "flagged as dependencies" in run.stdout
    assert "Ten riskiest firms" in run.stdout and "hypothetical extraction" in run.stdout
    report = ws / "reports" / "demo.html"
    html = report.read_text("utf-8")
    assert "Supplier shares of flagged products" in html and "not real data" in html
    assert "Method: geodep/v1" in html and "<script src=" not in html  # self-contained
    again = subprocess.run(
        [sys.executable, "-m", "econsec", "demo", "--workspace", str(ws)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "building" not in again.stdout  # the world is built once
    assert again.stdout.splitlines()[1] == run.stdout.splitlines()[3]  # same answer


def test_version_and_typing_marker() -> None:
    from importlib import metadata, resources

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"econsec {metadata.version('econsec')}\n"
    assert resources.files("econsec").joinpath("py.typed").is_file()
