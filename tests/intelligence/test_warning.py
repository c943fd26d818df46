"""Early warning on synthetic series with known answers and on Korea's customs data (2019)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
from typer.testing import CliRunner

from econsec.cli import app
from econsec.intelligence import detect
from shared_data import DATA


def _months(n: int, start: int = 2015) -> list[str]:
    return [f"{start + k // 12:04d}-{k % 12 + 1:02d}" for k in range(n)]


def _world(
    cut_at: int | None = None, slump_at: int | None = None, seed: int = 3
) -> list[tuple[str, str, str, str, float]]:
    """JPN exports one product to KOR, TWN and USA for 8 years, with a season and noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for t, period in enumerate(_months(96)):
        season = 1 + 0.3 * np.sin(2 * np.pi * t / 12)
        for importer, level in (("KOR", 100.0), ("TWN", 60.0), ("USA", 80.0)):
            v = level * season * rng.lognormal(0, 0.08)
            if cut_at is not None and importer == "KOR" and t >= cut_at:
                v *= 0.1
            if slump_at is not None and t >= slump_at:
                v *= 0.2
            rows.append((period, "JPN", importer, "281111", float(v)))
        rows.append((period, "CHN", "KOR", "281111", float(90 * rng.lognormal(0, 0.08))))
    return rows


def test_a_cut_is_found_when_it_starts() -> None:
    events = detect(_world(cut_at=60))
    (e,) = [e for e in events if e.importer == "KOR" and e.exporter == "JPN"]
    assert e.period == _months(96)[60]
    assert 0.85 < e.drop_share < 0.95 and e.persistence == 6 and e.confidence > 0.9
    assert e.comparison["exporter_other_markets_drop"] < 0.2  # JPN's other markets held
    assert not [e for e in events if e.importer != "KOR"]


def test_a_world_wide_slump_is_not_coercion() -> None:
    # JPN's exports fall by 80 % to every market at once: its other markets explain the drop.
    assert [e for e in detect(_world(slump_at=60)) if e.exporter == "JPN"] == []


def test_seasonal_dips_and_noise_are_not_events() -> None:
    rows = []
    rng = np.random.default_rng(9)
    for t, period in enumerate(_months(96)):
        dip = 0.3 if t % 12 == 1 else 1.0  # every February
        rows.append((period, "AUS", "CHN", "100390", float(100 * dip * rng.lognormal(0, 0.1))))
        rows.append((period, "CAN", "CHN", "100390", float(50 * rng.lognormal(0, 0.1))))
    assert detect(rows) == []


def test_years_missing_from_the_data_are_gaps_not_falls_to_zero() -> None:
    # Two single-supplier series, 2005-2024, with 2021-2023 missing from the whole data (as
    # when a workspace holds some years only): read as zeros they would fall by 100 % with no
    # control to say otherwise; as gaps they raise nothing. The same years present with this
    # flow at zero (the data cover them) are a fall.
    rng = np.random.default_rng(3)
    rows = [(str(y), x, i, q, float(100 * rng.lognormal(0, 0.05)))
            for y in range(2005, 2025) for x, i, q in (("CHN", "JPN", "280530"),
                                                        ("USA", "KOR", "850511"))]  # fmt: skip
    gapped = [r for r in rows if r[0] not in ("2021", "2022", "2023")]
    assert detect(gapped) == []
    zeroed = [r if r[0] not in ("2021", "2022", "2023") or r[1] == "USA" else (*r[:4], 0.0)
              for r in rows]  # fmt: skip
    assert [(e.exporter, e.period) for e in detect(zeroed)] == [("CHN", "2021")]


def test_korea_hydrogen_fluoride_july_2019() -> None:
    path = (
        DATA
        / "korea_japan_semiconductor_materials"
        / "kcs_korea_monthly_hs10_by_country_2000_2021.parquet"
    )
    rows = duckdb.sql(
        "SELECT printf('%04d-%02d', year, month), partner, 'KOR', CAST(hs10 AS VARCHAR), "
        f"sum(import_usd) FROM read_parquet('{path}') WHERE partner <> '' GROUP BY ALL"
    ).fetchall()
    events = detect(rows)
    hf = [e for e in events if e.product == "2811111000"]
    assert [(e.exporter, e.period) for e in hf] == [("Japan", "2019-07")]
    assert hf[0].confidence > 0.9 and hf[0].persistence == 6
    series = {(r[1], r[2], r[3]) for r in rows}
    # false alarms: events per series-year over 2002–2021, the known one excluded
    rate = (len(events) - 1) / (len(series) * 20)
    assert rate < 0.01


def test_cli(tmp_path: Path) -> None:
    data = tmp_path / "flows.csv"
    lines = ["period,exporter,importer,product,value"]
    lines += [f"{p},{x},{i},{q},{v:.2f}" for p, x, i, q, v in _world(cut_at=60)]
    data.write_text("\n".join(lines) + "\n")
    r = CliRunner().invoke(app, ["watch", "detect", "--input", str(data), "--format", "json"])
    assert r.exit_code == 0, r.output
    (event,) = [e for e in json.loads(r.output) if e["exporter"] == "JPN"]
    assert set(event) >= {"exporter", "importer", "product", "period", "drop_share", "confidence"}
    assert event["period"] == "2020-01" and 0 <= event["confidence"] <= 1
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "period,exporter,importer,product,value\n2020-01,JPN,KOR,281111,5\n2020-13,JPN,KOR,281111,5\n"
    )
    r = CliRunner().invoke(app, ["watch", "detect", "--input", str(bad)])
    assert r.exit_code == 2 and "row 2, field 'period': bad period '2020-13'" in r.output
    r = CliRunner().invoke(app, ["watch", "detect", "--input", str(tmp_path / "none.csv")])
    assert r.exit_code == 2 and "cannot read" in r.output


def test_cli_evaluate(tmp_path: Path) -> None:
    data = tmp_path / "flows.csv"
    rows = [(p, x, i, q, v) for p, x, i, q, v in _world(cut_at=60)]
    data.write_text(
        "period,exporter,importer,product,value\n"
        + "".join(f"{p},{x},{i},{q},{v:.2f}\n" for p, x, i, q, v in rows)
    )
    register = tmp_path / "register.json"
    register.write_text(json.dumps([{
        "id": "hf", "title": "HF controls", "implementing": ["JPN"], "affected": ["KOR"],
        "products": ["2811"], "flow": "exports", "family": "goods", "pretext": "security",
        "implemented": "2020-01-01"}]))  # fmt: skip
    r = CliRunner().invoke(app, ["watch", "evaluate", "--input", str(data), "--incidents",
                                 str(register), "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [(f["incident"], f["first_period"]) for f in out["found"]] == [("hf", "2020-01")]
    assert out["missed"] == [] and out["false_alarms"] == 0
    register.write_text("[{}]")
    r = CliRunner().invoke(app, ["watch", "evaluate", "--input", str(data), "--incidents",
                                 str(register)])  # fmt: skip
    assert r.exit_code == 2 and "field 'title': missing" in r.output
