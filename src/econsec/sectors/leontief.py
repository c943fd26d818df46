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
    """Technical coefficients :math:`A = Z \\hat{x}^{-1}` (columns of zero output stay zero)."""
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return sp.csr_matrix(sp.csr_matrix(Z) @ sp.diags(inv))


def calc_B(Z: sp.spmatrix, x: Vector) -> sp.csr_matrix:
    """Allocation coefficients :math:`B = \\hat{x}^{-1} Z`."""
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return sp.csr_matrix(sp.diags(inv) @ sp.csr_matrix(Z))


def solve(M: sp.spmatrix, b: Vector, *, rtol: float = 1e-12) -> Vector:
    """Solve :math:`M z = b` for a sparse M: SuperLU up to :data:`DIRECT_LIMIT` rows, else GMRES
    (raising :class:`SolverFailed` unless the relative residual is below ``rtol``)."""
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
    """Gross output :math:`x = (I - A)^{-1} y`, by solving."""
    return solve(sp.identity(A.shape[0], format="csc") - A, y)


def ghosh_output(B: sp.spmatrix, v: Vector) -> Vector:
    """Ghosh supply-driven output :math:`x^\\top = v^\\top (I - B)^{-1}` — an exposure measure."""
    return solve((sp.identity(B.shape[0], format="csc") - B).T, v)


def leontief_inverse(A: sp.spmatrix) -> npt.NDArray[np.float64]:
    """The dense Leontief inverse :math:`L = (I - A)^{-1}`; only when asked (n² memory)."""
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
    """Extract all intermediate inputs from ``from_country`` to ``to_country`` (a bilateral
    block), or with ``to_country`` None the rows and columns of a country-sector (``sector``)
    or of a whole country."""
    A = calc_A(mrio.Z, mrio.x).tolil()
    rows = mrio.rows_of(from_country)
    if sector is not None:
        rows = rows[np.array(mrio.sectors)[rows] == sector]
        if rows.size == 0:
            raise InputError(f"no sector {sector!r} of {from_country} in {mrio.source}")
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
    """Supply-constrained (mixed) model: sectors in ``capacity`` (index -> output cap) produce at
    most their cap; returns (output, final demand served). Sectors not capped meet their final
    demand; capped sectors serve what remains after intermediate use (negative = shortage of
    intermediate supply)."""
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
