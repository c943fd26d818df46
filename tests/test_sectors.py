"""Sector models against Miller & Blair's worked example, pymrio's test system and WIOD 2011."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from econsec.cli import app
from econsec.errors import InputError
from econsec.sectors import (
    MRIO,
    bottleneck,
    calc_A,
    calc_B,
    extract,
    from_pymrio,
    ghosh_output,
    leontief_inverse,
    leontief_output,
    read_mrio,
    read_wiod,
)
from shared_data import DATA


def miller_blair() -> MRIO:
    """Miller & Blair (2009), section 2.3: two sectors, Z = [[150, 500], [200, 100]],
    final demand (350, 1700), output (1000, 2000)."""
    Z = sp.csr_matrix(np.array([[150.0, 500.0], [200.0, 100.0]]))
    return MRIO(
        ("X", "X"),
        ("1", "2"),
        Z,
        np.array([350.0, 1700.0]),
        np.array([1000.0, 2000.0]),
        "dollars",
        "Miller & Blair 2009, §2.3",
    )


def test_miller_blair_worked_example() -> None:
    m = miller_blair()
    A = calc_A(m.Z, m.x).toarray()
    assert pytest.approx(np.array([[0.15, 0.25], [0.20, 0.05]])) == A
    L = leontief_inverse(calc_A(m.Z, m.x))
    assert pytest.approx(np.array([[1.254, 0.330], [0.264, 1.122]]), abs=1e-3) == L
    assert leontief_output(calc_A(m.Z, m.x), m.y) == pytest.approx(m.x)
    # New final demand (600, 1500) -> x = (1247.52, 1841.58) in the book.
    assert leontief_output(calc_A(m.Z, m.x), np.array([600.0, 1500.0])) == pytest.approx(
        [1247.52, 1841.58], abs=0.01
    )


def test_against_pymrio_test_system() -> None:
    io = pymrio.load_test()
    io.calc_all()
    m = from_pymrio(io)
    A = calc_A(m.Z, m.x)
    assert A.toarray() == pytest.approx(np.asarray(io.A), rel=1e-9, abs=1e-12)
    assert leontief_inverse(A) == pytest.approx(np.asarray(io.L), rel=1e-9)
    assert leontief_output(A, m.y) == pytest.approx(np.asarray(io.x).ravel(), rel=1e-9)
    # Extraction of reg2's inputs to reg1 against the dense pymrio-based computation.
    result = extract(m, "reg2", "reg1")
    A_star = np.asarray(io.A).copy()
    regions = np.array([r for r, _ in io.Z.index])
    A_star[np.ix_(regions == "reg2", regions == "reg1")] = 0
    x_star = np.linalg.solve(np.eye(len(regions)) - A_star, m.y)
    assert result.x_star == pytest.approx(x_star, rel=1e-9)
    assert result.total_loss > 0


def test_ghosh_is_the_transposed_system() -> None:
    m = miller_blair()
    v = m.x - np.asarray(m.Z.sum(axis=0)).ravel()  # value added
    B = calc_B(m.Z, m.x)
    assert B.toarray() == pytest.approx(np.diag(1 / m.x) @ m.Z.toarray())
    assert ghosh_output(B, v) == pytest.approx(m.x)


def test_bottleneck_mixed_model() -> None:
    m = miller_blair()
    # Sector 1 capped at 900 (was 1000): sector 2 still meets its final demand 1700.
    x, served = bottleneck(m, {0: 900.0})
    A = calc_A(m.Z, m.x).toarray()
    x2 = (1700 + A[1, 0] * 900) / (1 - A[1, 1])
    assert x == pytest.approx([900.0, x2])
    assert served[1] == pytest.approx(1700.0)
    assert served[0] == pytest.approx(900 - A[0, 0] * 900 - A[0, 1] * x2)
    assert served[0] < 350  # less final demand served for sector 1


def test_wiod_2011_china_to_japan() -> None:
    m = read_wiod(DATA / "wiod2013_mrio", 2011)
    assert m.n == 1435 and m.x.sum() == pytest.approx(141.8e6, rel=0.01)  # 141.8 trn USD
    # The tables are rounded to million USD (rows of Z + F match x within ~110): the Leontief
    # output reproduces x up to that rounding, amplified at most a few times.
    rows = np.asarray(m.Z.sum(axis=1)).ravel() + m.y
    assert np.abs(rows - m.x).max() < 120
    A = calc_A(m.Z, m.x)
    xl = leontief_output(A, m.y)
    assert xl.sum() == pytest.approx(m.x.sum(), rel=1e-3)
    # With the final demand the table implies (x minus intermediate sales), exactly x.
    assert leontief_output(A, m.x - np.asarray(m.Z.sum(axis=1)).ravel()) == pytest.approx(
        m.x, rel=1e-9
    )
    result = extract(m, "CHN", "JPN")
    assert result.total_loss > 0
    japan = np.array(m.countries) == "JPN"
    assert result.loss[japan].sum() > 0 and np.all(result.loss > -1e-6)


def _icio_file(
    folder: Path, countries: tuple[str, ...], rename: dict[str, str] | None = None
) -> tuple[Path, MRIO]:
    """Real WIOD 2011 numbers for a few countries, written in the OECD ICIO CSV layout (rows and
    columns ``CCC_sector``, final demand ``CCC_HFCE``, value added ``VA``, totals ``OUT``). The
    rest of the world is folded into final demand, so that x = Z 1 + y still holds. ``rename``
    gives WIOD industries ICIO sector codes (e.g. ``c12`` → ``D24T25``)."""
    wiod = read_wiod(DATA / "wiod2013_mrio", 2011)
    keep = np.flatnonzero(np.isin(np.array(wiod.countries), countries))
    Z = wiod.Z[keep][:, keep].toarray()
    x = wiod.x[keep]
    y = x - Z.sum(axis=1)
    name = rename or {}
    labels = [f"{wiod.countries[i]}_{name.get(wiod.sectors[i], wiod.sectors[i])}" for i in keep]
    fd = pd.DataFrame(0.0, index=labels, columns=[f"{c}_HFCE" for c in countries])
    for row, i in enumerate(keep):
        fd.iloc[row, countries.index(wiod.countries[i])] = y[row]
    table = pd.concat([pd.DataFrame(Z, index=labels, columns=labels), fd], axis=1)
    table.loc["VA"] = list(x - Z.sum(axis=0)) + [0.0] * len(countries)
    table["OUT"] = [*x, 0.0]
    table.loc["OUT"] = list(x) + [0.0] * len(countries) + [0.0]
    path = folder / "ICIO2023_2011.csv"
    table.to_csv(path)
    subset = MRIO(tuple(wiod.countries[i] for i in keep),
                  tuple(name.get(wiod.sectors[i], wiod.sectors[i]) for i in keep),
                  sp.csr_matrix(Z), y, x, wiod.unit, "subset")  # fmt: skip
    return path, subset


def test_oecd_icio_files_through_pymrio(tmp_path: Path) -> None:
    path, subset = _icio_file(tmp_path, ("CHN", "JPN", "KOR", "USA"))
    for where in (path, tmp_path):  # the file, or its folder and the year
        m = read_mrio(where, 2011, "oecd")
        assert m.source.startswith("OECD ICIO, 2011") and m.n == subset.n
        pos = {(c, s): i for i, (c, s) in enumerate(zip(m.countries, m.sectors, strict=True))}
        idx = [pos[(c, s)] for c, s in zip(subset.countries, subset.sectors, strict=True)]
        assert m.x[idx] == pytest.approx(subset.x, rel=1e-9)
        got = extract(m, "CHN", "JPN")
        want = extract(subset, "CHN", "JPN")
        assert got.total_loss == pytest.approx(want.total_loss, rel=1e-9) and got.total_loss > 0
    bad = tmp_path / "bad" / "ICIO2023_2011.csv"
    bad.parent.mkdir()
    bad.write_text("not,an\nICIO,table\n")
    with pytest.raises(InputError, match="cannot parse"):
        read_mrio(bad, 2011, "oecd")
    with pytest.raises(InputError, match="no such file"):
        read_mrio(tmp_path / "missing.csv", 2011, "oecd")


def test_exiobase3_archives_through_pymrio(tmp_path: Path) -> None:
    io = pymrio.load_test()
    folder = tmp_path / "IOT_2011_ixi"
    io.save_all(folder)
    archive = shutil.make_archive(str(tmp_path / "IOT_2011_ixi"), "zip", folder)
    m = read_mrio(Path(archive), 2011, "exiobase3")
    direct = from_pymrio(pymrio.load_test())
    assert m.countries == direct.countries and m.unit == "million EUR"
    assert abs(m.Z - direct.Z).max() == pytest.approx(0.0)
    assert extract(m, "reg2", "reg1").total_loss == pytest.approx(
        extract(direct, "reg2", "reg1").total_loss, rel=1e-12
    )


def test_cli_extract_on_an_icio_file(tmp_path: Path) -> None:
    path, subset = _icio_file(tmp_path, ("CHN", "JPN", "KOR"))
    r = CliRunner().invoke(app, ["sectors", "extract", "--mrio-dir", str(path), "--kind", "oecd",
                                 "--year", "2011", "--from", "CHN", "--to", "JPN",
                                 "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["unit"] == "million USD" and out["total_output_loss"] == pytest.approx(
        extract(subset, "CHN", "JPN").total_loss, rel=1e-9
    )
