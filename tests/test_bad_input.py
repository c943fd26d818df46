"""Every kind of bad input gets a located, explained error, a non-zero exit and no change.

Each case starts from a workspace that already holds real BACI data, runs ``econsec data
import`` on a broken file and checks the message names the file, the line and column where
applicable and the expected form, and that the workspace's files are byte-for-byte unchanged.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli import app
from shared_data import CMA, snapshot

HEADER = "t,i,j,k,v,q\n"
GOOD = "2023,156,392,811292,100.5,2.0\n"


@pytest.fixture
def workspace(baci_dir: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(
        app,
        [
            "data",
            "import",
            "baci",
            str(baci_dir / "BACI_HS17_Y2024_V202601.csv"),
            "--workspace",
            str(ws),
        ],
    )
    assert result.exit_code == 0, result.output
    return ws


def _release(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "release"
    folder.mkdir(exist_ok=True)
    (folder / "country_codes_V202601.csv").write_bytes(
        (CMA / "country_codes_V202601.csv").read_bytes()
    )
    path = folder / name
    path.write_bytes(content)
    return path


CASES = {
    "missing column": (
        HEADER.replace(",q", "") + "2023,156,392,811292,100.5\n",
        ["missing column(s) q", "line 1", "the columns of a BACI file: t, i, j, k, v, q"],
    ),
    "misnamed column": (
        "t,i,j,k,V,q\n" + GOOD,
        ["missing column(s) v; found V (names are case-sensitive)", "line 1"],
    ),
    "non-numeric value": (
        HEADER + GOOD + "2023,156,392,811292,12O.5,1\n",
        ["line 3", "column 'v'", "not a number: '12O.5'", "expected a number"],
    ),
    "negative value": (
        HEADER + GOOD + GOOD.replace("100.5", "-3"),
        ["line 3", "column 'v'", "negative value: '-3'", "expected a number >= 0"],
    ),
    "unknown country": (
        HEADER + GOOD + "2023,999,392,811292,1,1\n",
        [
            "line 3",
            "column 'i'",
            "unknown country code: '999'",
            "listed in country_codes_V202601.csv",
        ],
    ),
    "HS code of the wrong length": (
        HEADER + GOOD + "2023,156,392,8112921,1,1\n",
        ["line 3", "column 'k'", "HS code is not 6 digits: '8112921'"],
    ),
    "duplicate keys with different values": (
        HEADER + GOOD + GOOD + GOOD.replace("100.5", "7"),
        [
            "lines 2 and 4 give different values for the same flow",
            "exporter=CHN",
            "importer=JPN",
            "product=811292",
        ],
    ),
    "wrong number of fields": (
        HEADER + GOOD + "2023,156,392,811292,1,1,9\n",
        ["line 3", "7 fields where the header has 6"],
    ),
    "empty file": ("", ["the file is empty"]),
    "header only": (HEADER, ["no data rows"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_csv(case: str, workspace: Path, tmp_path: Path) -> None:
    content, expected = CASES[case]
    path = _release(tmp_path, "BACI_HS17_Y2023_V202601.csv", content.encode())
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app, ["data", "import", "baci", str(path), "--workspace", str(workspace)]
    )
    assert result.exit_code == 2, result.output
    message = result.output
    assert str(path) in message
    for part in expected:
        assert part in message, message
    assert snapshot(workspace) == before


def test_wrong_encoding(workspace: Path, tmp_path: Path) -> None:
    path = _release(
        tmp_path,
        "BACI_HS17_Y2023_V202601.csv",
        (HEADER + GOOD).encode() + "2023,156,392,811292,1,\u00e9\n".encode("latin-1"),
    )
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app, ["data", "import", "baci", str(path), "--workspace", str(workspace)]
    )
    assert result.exit_code == 2, result.output
    assert "line 3" in result.output and "not valid UTF-8" in result.output
    assert snapshot(workspace) == before


def test_truncated_gzip(workspace: Path, tmp_path: Path) -> None:
    body = gzip.compress((HEADER + GOOD * 50_000).encode())
    path = _release(tmp_path, "BACI_HS17_Y2023_V202601.csv.gz", body[: len(body) // 2])
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app, ["data", "import", "baci", str(path), "--workspace", str(workspace)]
    )
    assert result.exit_code == 2, result.output
    assert "truncated or corrupt" in result.output and "a complete gzip file" in result.output
    assert snapshot(workspace) == before


def test_unknown_numeric_code_in_comtrade(workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "period,reporterCode,partnerCode,cmdCode,flowCode,primaryValue,classificationCode\n"
        "2023,392,156,811292,M,10,H6\n2023,392,123,811292,M,10,H6\n",
        "utf-8",
    )
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app, ["data", "import", "comtrade", str(path), "--workspace", str(workspace)]
    )
    assert result.exit_code == 2, result.output
    assert "line 3" in result.output and "column 'partnerCode'" in result.output
    assert snapshot(workspace) == before


def test_bad_period_in_a_mapped_table(workspace: Path, tmp_path: Path) -> None:
    table = tmp_path / "monthly.csv"
    table.write_text(
        "period,exporter,importer,hs6,usd\n2023-07,CHN,JPN,811292,5\n2023-13,CHN,JPN,811292,5\n"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "source: customs\ncolumns: {period: period, exporter: exporter, importer: importer, "
        "product: hs6, value: usd}\n"
    )
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app,
        [
            "data",
            "import",
            "table",
            str(table),
            "--mapping",
            str(mapping),
            "--workspace",
            str(workspace),
        ],
    )
    assert result.exit_code == 2
    assert (
        "line 3" in result.output
        and "column 'period'" in result.output
        and "'2023-13'" in result.output
    )
    assert snapshot(workspace) == before


def test_one_pass_reports_up_to_twenty_problems(workspace: Path, tmp_path: Path) -> None:
    # Three kinds of fault in three columns, and more than twenty in all: one run names the
    # first twenty by line, with a "did you mean" for a misspelt country, and changes nothing.
    table = tmp_path / "customs.csv"
    rows = ["year,exporter,importer,hs6,usd", "2023,Chna,Japan,811292,5", "2023,CHN,JPN,81129,x"]
    rows += [f"20x3,CHN,JPN,811292,{i}" for i in range(30)]
    table.write_text("\n".join(rows) + "\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "source: customs\ncolumns: {year: year, exporter: exporter, importer: importer, "
        "product: hs6, value: usd}\n"
    )
    before = snapshot(workspace)
    result = CliRunner().invoke(
        app,
        ["data", "import", "table", str(table), "--mapping", str(mapping), "-w", str(workspace)],
    )
    assert result.exit_code == 2, result.output
    out = result.output
    assert "20 problems (the first 20; checking stopped there)" in out
    assert "line 2, column 'exporter': unknown country code: 'Chna'" in out
    assert "did you mean China (CHN)?" in out
    assert "line 3, column 'usd': not a number: 'x'" in out
    assert "column 'hs6'" not in out  # five digits: a leading zero lost by a spreadsheet
    assert "line 4, column 'year': not a year: '20x3'" in out
    assert len([line for line in out.splitlines() if line.startswith("  line ")]) == 20
    assert snapshot(workspace) == before


def test_the_errors_read_in_the_users_language(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECONSEC_LANG", "ja")
    path = _release(tmp_path, "BACI_HS17_Y2023_V202601.csv",
                    (HEADER + "2023,156,392,811292,-4,1\n2023,156,392,8112,1,1\n").encode())  # fmt: skip
    result = CliRunner().invoke(
        app, ["data", "import", "baci", str(path), "--workspace", str(workspace)]
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"エラー: {path}: 2 件の問題\n")
    assert "2 行目, 列 'v': 負の値です: '-4'（想定: 0 以上の数）" in result.output
    hs = "3 行目, 列 'k': HS コードが 6 桁ではありません: '8112'"
    assert f"{hs}（想定: 850511 のような 6 桁の HS コード）" in result.output
