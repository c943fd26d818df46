"""Sector models against Miller & Blair's worked example, pymrio's test system and WIOD 2011."""

from __future__ import annotations

import numpy as np
import pymrio
import pytest
import scipy.sparse as sp

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
