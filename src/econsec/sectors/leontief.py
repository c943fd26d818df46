"""Sector-level models on MRIO tables: Leontief, Ghosh, hypothetical extraction, bottlenecks.

Notation (Miller & Blair, *Input-Output Analysis*, 2nd ed., 2009):

* technical coefficients :math:`A = Z \\hat{x}^{-1}`, Leontief :math:`x = (I - A)^{-1} y`;
* allocation coefficients :math:`B = \\hat{x}^{-1} Z`, Ghosh :math:`x^\\top = v^\\top (I - B)^{-1}`.
  The Ghosh model is implausible as a quantity model (output moving without inputs, Oosterhaven
  1988); econsec offers it only as an exposure measure — how far a sector's primary supply
  reaches downstream — never as a forecast of lost output;
* hypothetical extraction (Miller & Blair §15.6): set a block of :math:`A` to zero (e.g. every
  intermediate input from CHN to JPN) and compare :math:`x^* = (I - A^*)^{-1} y` with :math:`x`;
* supply-constrained (mixed) model (Miller & Blair §13.2): outputs of constrained sectors are
  fixed at their capacity; the others follow demand; the final demand the constrained sectors
  can still serve follows.

Systems are solved, never inverted: a sparse LU factorisation (SuperLU) for tables up to
:data:`DIRECT_LIMIT` sectors, GMRES with a residual check above. :func:`leontief_inverse`
forms the dense inverse only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from econsec.errors import InputError, SolverFailed
from econsec.sectors.mrio import MRIO

__all__ = [
    "DIRECT_LIMIT",
    "Extraction",
    "bottleneck",
    "calc_A",
    "calc_B",
    "extract",
    "ghosh_output",
    "leontief_inverse",
    "leontief_output",
    "solve",
]

Vector = npt.NDArray[np.float64]
DIRECT_LIMIT = 4000


def calc_A(Z: sp.spmatrix, x: Vector) -> sp.csr_matrix:
    """Technical coefficients :math:`A = Z \\hat{x}^{-1}` (columns of zero output stay zero).

    Parameters
    ----------
    Z : sparse matrix
        Intermediate flows, n × n (``Z[i, j]`` sold by i to j).
    x : ndarray
        Gross output, n.

    Returns
    -------
    scipy.sparse.csr_matrix

    Examples
    --------
    Miller & Blair's two-sector example (section 2.3):

    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> calc_A(Z, x).toarray()
    array([[0.15, 0.25],
           [0.2 , 0.05]])

    References
    ----------
    Miller, R. E. & Blair, P. D. (2009), *Input-Output Analysis*, 2nd ed., ch. 2.
    """
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return sp.csr_matrix(sp.csr_matrix(Z) @ sp.diags(inv))


def calc_B(Z: sp.spmatrix, x: Vector) -> sp.csr_matrix:
    """Allocation coefficients :math:`B = \\hat{x}^{-1} Z` (the Ghosh model's).

    Parameters
    ----------
    Z : sparse matrix
        Intermediate flows, n × n.
    x : ndarray
        Gross output, n.

    Returns
    -------
    scipy.sparse.csr_matrix

    Examples
    --------
    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> calc_B(Z, x).toarray()
    array([[0.15, 0.5 ],
           [0.1 , 0.05]])

    References
    ----------
    Miller, R. E. & Blair, P. D. (2009), *Input-Output Analysis*, 2nd ed., section 12.1.
    """
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return sp.csr_matrix(sp.diags(inv) @ sp.csr_matrix(Z))


def solve(M: sp.spmatrix, b: Vector, *, rtol: float = 1e-12) -> Vector:
    """Solve :math:`M z = b` for a sparse M: SuperLU up to :data:`DIRECT_LIMIT` rows, else GMRES.

    Parameters
    ----------
    M : sparse matrix
        n × n.
    b : ndarray
        n.
    rtol : float
        The relative residual GMRES must reach.

    Returns
    -------
    ndarray
        z.

    Raises
    ------
    SolverFailed
        When GMRES stops above ``rtol`` (never a partial answer).

    Examples
    --------
    >>> solve(sp.csr_matrix([[2.0, 0.0], [1.0, 4.0]]), np.array([2.0, 9.0]))
    array([1., 2.])
    """
    M = sp.csc_matrix(M)
    if M.shape[0] <= DIRECT_LIMIT:
        z: Vector = spla.splu(M).solve(b)
        return z
    z, info = spla.gmres(M, b, rtol=rtol, atol=0.0, restart=100, maxiter=1000)
    residual = float(np.linalg.norm(M @ z - b)) / max(float(np.linalg.norm(b)), 1e-300)
    if info != 0 or residual > rtol * 10:
        raise SolverFailed(f"GMRES stopped at relative residual {residual:.1e} (wanted {rtol:.0e})")
    return np.asarray(z, float)


def leontief_output(A: sp.spmatrix, y: Vector) -> Vector:
    """Gross output :math:`x = (I - A)^{-1} y`, by solving (no inverse is formed).

    Parameters
    ----------
    A : sparse matrix
        Technical coefficients, n × n.
    y : ndarray
        Final demand, n.

    Returns
    -------
    ndarray
        x.

    Examples
    --------
    Miller & Blair's example: final demand (350, 1700) needs outputs (1000, 2000).

    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> leontief_output(calc_A(Z, x), np.array([350.0, 1700.0])).round(6)
    array([1000., 2000.])

    References
    ----------
    Miller, R. E. & Blair, P. D. (2009), *Input-Output Analysis*, 2nd ed., ch. 2.
    """
    return solve(sp.identity(A.shape[0], format="csc") - A, y)


def ghosh_output(B: sp.spmatrix, v: Vector) -> Vector:
    """Ghosh supply-driven output :math:`x^\\top = v^\\top (I - B)^{-1}` — an exposure
    measure (how far primary supply reaches), never a forecast of lost output.

    Parameters
    ----------
    B : sparse matrix
        Allocation coefficients, n × n.
    v : ndarray
        Primary inputs (value added and imports), n.

    Returns
    -------
    ndarray
        x.

    Examples
    --------
    With Miller & Blair's table, the primary inputs x − Zᵀ1 = (650, 1400) give back x.

    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> v = x - np.asarray(Z.sum(axis=0)).ravel()
    >>> ghosh_output(calc_B(Z, x), v).round(6)
    array([1000., 2000.])

    References
    ----------
    Miller & Blair (2009), section 12.1; Oosterhaven, J. (1988), On the plausibility of the
    supply-driven input-output model, *Journal of Regional Science* 28(2).
    """
    return solve((sp.identity(B.shape[0], format="csc") - B).T, v)


def leontief_inverse(A: sp.spmatrix) -> npt.NDArray[np.float64]:
    """The dense Leontief inverse :math:`L = (I - A)^{-1}`; only when asked (n² memory).

    Parameters
    ----------
    A : sparse matrix
        Technical coefficients, n × n.

    Returns
    -------
    ndarray
        L, n × n.

    Examples
    --------
    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> leontief_inverse(calc_A(Z, x)).round(4)
    array([[1.2541, 0.33  ],
           [0.264 , 1.1221]])

    References
    ----------
    Miller, R. E. & Blair, P. D. (2009), *Input-Output Analysis*, 2nd ed., ch. 2.
    """
    n = A.shape[0]
    return np.asarray(np.linalg.inv(np.eye(n) - A.toarray()), float)


@dataclass(frozen=True, eq=False)
class Extraction:
    """The result of a hypothetical extraction."""

    description: str
    x: Vector  # output with the block in place (from the table's own A and y)
    x_star: Vector  # output after extraction
    loss: Vector  # x - x_star, per country-sector

    @property
    def total_loss(self) -> float:
        return float(self.loss.sum())


def extract(
    mrio: MRIO, from_country: str, to_country: str | None = None, *, sector: str | None = None
) -> Extraction:
    """Hypothetical extraction: what output is lost without a block of intermediate inputs.

    Parameters
    ----------
    mrio : MRIO
        The table.
    from_country : str
        The supplying country.
    to_country : str, optional
        The buying country: extract the bilateral block of intermediate inputs. Without it,
        the rows and columns of ``from_country`` (or of its ``sector``) and its final demand.
    sector : str, optional
        With no ``to_country``, one sector of ``from_country``.

    Returns
    -------
    Extraction
        Output before and after, and the loss per country-sector.

    Raises
    ------
    NotFoundError
        For a country not in the table.
    InputError
        For a sector not in the table.

    Examples
    --------
    Two one-sector countries; JPN buys 200 of its 2,000 output's inputs from CHN. Without
    them, CHN's output falls to 650 / 0.85 = 764.7 and JPN's to (1600 + 0.1 · 764.7) / 0.85 =
    1972.3: 263.0 in all.

    >>> from econsec.sectors.mrio import MRIO
    >>> mrio = MRIO(("CHN", "JPN"), ("c", "c"), sp.csr_matrix([[150.0, 200.0], [100.0, 300.0]]),
    ...             np.array([650.0, 1600.0]), np.array([1000.0, 2000.0]), "USD", "example")
    >>> result = extract(mrio, "CHN", "JPN")
    >>> result.description, round(result.total_loss, 1)
    ('hypothetical extraction of intermediate inputs from CHN to JPN', 263.0)

    References
    ----------
    Miller & Blair (2009), section 15.6.
    """
    A = calc_A(mrio.Z, mrio.x).tolil()
    rows = mrio.rows_of(from_country)
    if sector is not None:
        rows = rows[np.array(mrio.sectors)[rows] == sector]
        if rows.size == 0:
            raise InputError(
                "no sector {sector!r} of {from_country} in {source}",
                values={"sector": sector, "from_country": from_country, "source": mrio.source},
            )
    if to_country is not None:
        cols = mrio.rows_of(to_country)
        A_star = A.tocsr()
        mask = sp.csr_matrix(
            (
                np.ones(rows.size * cols.size),
                (np.repeat(rows, cols.size), np.tile(cols, rows.size)),
            ),
            shape=A.shape,
        )
        A_star = A_star - A_star.multiply(mask)
        what = f"intermediate inputs from {from_country} to {to_country}"
    else:
        keep = np.ones(mrio.n)
        keep[rows] = 0.0
        D = sp.diags(keep)
        A_star = D @ A.tocsr() @ D
        what = f"{from_country}{'/' + sector if sector else ''} (rows and columns)"
    x = leontief_output(A.tocsr(), mrio.y)
    y = (
        mrio.y
        if to_country is not None
        else np.where(np.isin(np.arange(mrio.n), rows), 0.0, mrio.y)
    )
    x_star = leontief_output(sp.csr_matrix(A_star), y)
    return Extraction(f"hypothetical extraction of {what}", x, x_star, x - x_star)


def bottleneck(mrio: MRIO, capacity: dict[int, float]) -> tuple[Vector, Vector]:
    """Supply-constrained (mixed) model: capped sectors produce their cap; the others meet
    their final demand.

    Parameters
    ----------
    mrio : MRIO
        The table.
    capacity : dict of int to float
        Sector index → its output cap.

    Returns
    -------
    (ndarray, ndarray)
        Output, and the final demand served: a capped sector serves what remains after
        intermediate use (negative: a shortage of intermediate supply).

    Raises
    ------
    InputError
        For an index outside the table.

    Examples
    --------
    Miller & Blair's table with sector 0 capped at 900 instead of 1,000: sector 1 makes
    (1700 + 0.2 · 900) / 0.95 = 1978.95, and sector 0 serves 900 − 135 − 0.25 · 1978.95 = 270.26
    of its final demand of 350.

    >>> from econsec.sectors.mrio import MRIO
    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> x = np.array([1000.0, 2000.0])
    >>> mrio = MRIO(("A", "A"), ("s1", "s2"), Z, np.array([350.0, 1700.0]), x, "USD", "M&B")
    >>> out, served = bottleneck(mrio, {0: 900.0})
    >>> out.round(2), served.round(2)
    (array([ 900.  , 1978.95]), array([ 270.26, 1700.  ]))

    References
    ----------
    Miller & Blair (2009), section 13.2.
    """
    n = mrio.n
    A = calc_A(mrio.Z, mrio.x)
    fixed = np.array(sorted(capacity), dtype=np.int64)
    if fixed.size and (fixed.min() < 0 or fixed.max() >= n):
        raise InputError("capacity for a sector index outside the table")
    free = np.setdiff1d(np.arange(n), fixed)
    x_fixed = np.array([capacity[i] for i in fixed], float)
    A = sp.csr_matrix(A)
    rhs = mrio.y[free] + A[free][:, fixed] @ x_fixed
    x_free = solve(sp.identity(free.size, format="csc") - A[free][:, free], rhs)
    x = np.zeros(n)
    x[free], x[fixed] = x_free, x_fixed
    served = x - A @ x
    return x, served
