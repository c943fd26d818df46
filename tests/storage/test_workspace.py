"""The workspace: idempotent imports, listing, overlap rules, atomicity and its location."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli import app
from econsec.errors import InputError
from econsec.settings import workspace_path
from econsec.storage import Workspace, duckdb_engine, import_flows, imports
from econsec.storage import workspace as workspace_module
from econsec.trade.baci import read_baci
from shared_data import snapshot


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_reimport_changes_nothing_and_list_shows_it(baci_dir: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for name in ("BACI_HS17_Y2022_V202601.csv", "BACI_HS17_Y2024_V202601.csv"):
        _run("data", "import", "baci", str(baci_dir / name), "--workspace", str(ws))
    before = snapshot(ws)
    out = _run(
        "data",
        "import",
        "baci",
        str(baci_dir / "BACI_HS17_Y2024_V202601.csv"),
        "--workspace",
        str(ws),
    )
    assert "already imported" in out and "nothing changed" in out
    assert snapshot(ws) == before
    listed = json.loads(_run("data", "list", "--workspace", str(ws), "--format", "json"))
    assert [(r["source"], r["years"], r["rows"]) for r in listed] == [
        ("baci", [2022], 23167),
        ("baci", [2024], 21723),
    ]
    assert all(len(r["sha256"]) == 64 and r["imported_at"] for r in listed)
    table = _run("data", "list", "--workspace", str(ws))
    assert "baci" in table and "21,723" in table
    count = (
        duckdb_engine(Workspace(ws)).sql("SELECT count(*) AS n FROM flows").column("n")[0].as_py()
    )
    assert count == 23167 + 21723


def test_same_flows_in_another_file_are_not_duplicated(baci_dir: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    import_flows(ws, read_baci(baci_dir / "BACI_HS17_Y2024_V202601.csv"))
    copy = tmp_path / "copy" / "BACI_HS17_Y2024_V202601.csv"
    copy.parent.mkdir()
    lines = (baci_dir / "BACI_HS17_Y2024_V202601.csv").read_text().splitlines()
    copy.write_text("\n".join([*lines[:101], "2024,392,20,280480,1.0,1.0"]) + "\n")
    result = import_flows(ws, read_baci(copy, country_codes=baci_dir / "country_codes_V202601.csv"))
    assert result.already_present == 100 and result.rows_stored == 1
    total = duckdb_engine(ws).sql("SELECT count(*) AS n FROM flows").column("n")[0].as_py()
    assert total == 21723 + 1


def test_conflicting_values_need_replace(baci_dir: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    import_flows(ws, read_baci(baci_dir / "BACI_HS17_Y2024_V202601.csv"))
    revised = tmp_path / "rev" / "BACI_HS17_Y2024_V202602.csv"
    revised.parent.mkdir()
    lines = (baci_dir / "BACI_HS17_Y2024_V202601.csv").read_text().splitlines()
    first = lines[1].split(",")
    first[4] = str(float(first[4]) + 1)
    revised.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    codes = baci_dir / "country_codes_V202601.csv"
    before = snapshot(ws.root)
    with pytest.raises(InputError, match=r"different value .* --replace"):
        import_flows(ws, read_baci(revised, country_codes=codes))
    assert snapshot(ws.root) == before
    result = import_flows(ws, read_baci(revised, country_codes=codes), replace=True)
    assert result.replaced and len(imports(ws)) == 1
    total = (
        duckdb_engine(ws).sql("SELECT count(*) AS n, sum(value_usd) AS v FROM flows").to_pylist()[0]
    )
    assert total["n"] == 21723


def test_failure_at_the_commit_point_leaves_no_trace(
    baci_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    import_flows(ws, read_baci(baci_dir / "BACI_HS17_Y2022_V202601.csv"))
    before = snapshot(ws.root)

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workspace_module, "_write_manifest", broken)
    with pytest.raises(OSError, match="disk full"):
        import_flows(ws, read_baci(baci_dir / "BACI_HS17_Y2024_V202601.csv"))
    assert snapshot(ws.root) == before
    assert not (ws.root / ".staging").exists()


def test_workspace_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ECONSEC_WORKSPACE", raising=False)
    default = workspace_path(None)
    assert default.name == "econsec" and default.is_absolute()
    monkeypatch.setenv("ECONSEC_WORKSPACE", str(tmp_path / "env"))
    assert workspace_path(None) == tmp_path / "env"
    assert workspace_path(tmp_path / "opt") == tmp_path / "opt"
    assert os.environ["ECONSEC_WORKSPACE"].endswith("env")


def test_import_screen_and_watch_in_a_path_with_an_apostrophe_a_space_and_japanese(
    baci_dir: Path, tmp_path: Path
) -> None:
    """Paths and values reach SQL as parameters, never as text: a quote in the workspace's
    path cannot break (or change) a query."""
    ws = tmp_path / "O'Brien の ワーク space"
    name = "BACI_HS17_Y2024_V202601.csv"
    # the file's own folder too: the reader and the country-code lookup take its path
    release = tmp_path / "d'ata 貿易"
    release.mkdir()
    for f in (name, "country_codes_V202601.csv"):
        (release / f).write_bytes((baci_dir / f).read_bytes())
    out = _run("data", "import", "baci", str(release / name), "--workspace", str(ws))
    assert "imported 21,723 flows" in out
    assert "already imported" in _run("data", "import", "baci", str(release / name), "-w", str(ws))
    rows = json.loads(_run("screen", "--importer", "JPN", "--year", "2024", "--preset", "crma65",
                           "--workspace", str(ws), "--format", "json"))  # fmt: skip
    assert len(rows) > 20 and {r["importer"] for r in rows} == {"JPN"}
    csv_out = ws / "it's screened.csv"
    _run("screen", "--importer", "JPN", "--year", "2024", "--workspace", str(ws),
         "--format", "csv", "--output", str(csv_out))  # fmt: skip
    assert csv_out.read_text("utf-8").count("\n") == len(rows) + 1
    events = json.loads(_run("watch", "detect", "--workspace", str(ws), "--format", "json"))
    assert events == []  # one year of data: no history to break from, and no error
