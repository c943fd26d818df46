"""Multi-regional input-output tables as sparse matrices.

An :class:`MRIO` holds the labels of its n country-sectors, the intermediate flows ``Z``
(n × n, sparse, ``Z[i, j]`` sold by i to j), total final demand ``y`` (n) and gross output ``x``
(n), in the table's own units. Readers: the WIOD 2013 tables in long Parquet form
(:func:`read_wiod`) and any table pymrio parses — OECD ICIO, EXIOBASE, Eora —
(:func:`from_pymrio`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow.parquet as pq
import scipy.sparse as sp

from econsec.errors import InputError, NotFoundError

__all__ = ["MRIO", "from_pymrio", "read_wiod"]


@dataclass(frozen=True, eq=False)
class MRIO:
    """A multi-regional input-output table."""

    countries: tuple[str, ...]  # of each row / column
    sectors: tuple[str, ...]
    Z: sp.csr_matrix
    y: npt.NDArray[np.float64]
    x: npt.NDArray[np.float64]
    unit: str
    source: str

    @property
    def n(self) -> int:
        return len(self.countries)

    def rows_of(self, country: str) -> npt.NDArray[np.int64]:
        """Indices of a country's sectors; :class:`NotFoundError` if the table lacks it."""
        rows = np.flatnonzero(np.array(self.countries) == country)
        if rows.size == 0:
            raise NotFoundError(
                f"no country {country!r} in {self.source} "
                f"(countries: {', '.join(sorted(set(self.countries)))})"
            )
        return rows.astype(np.int64)


def read_wiod(folder: Path, year: int) -> MRIO:
    """The WIOD 2013 release for ``year`` from ``wiot{year}_Z_long.parquet``, ``_F_long`` and
    ``_x`` (million USD)."""
    paths = {k: folder / f"wiot{year}_{k}.parquet" for k in ("Z_long", "F_long", "x")}
    missing = [p.name for p in paths.values() if not p.exists()]
    if missing:
        raise NotFoundError(f"{folder}: no WIOD tables for {year} (missing {', '.join(missing)})")
    x = pq.read_table(paths["x"]).to_pydict()
    labels = list(zip(x["country"], x["industry"], strict=True))
    index = {label: i for i, label in enumerate(labels)}
    n = len(labels)
    z = pq.read_table(paths["Z_long"]).to_pydict()
    try:
        rows = np.fromiter(
            (index[k] for k in zip(z["from_country"], z["from_industry"], strict=True)),
            np.int64,
            len(z["value_musd"]),
        )
        cols = np.fromiter(
            (index[k] for k in zip(z["to_country"], z["to_industry"], strict=True)),
            np.int64,
            len(z["value_musd"]),
        )
    except KeyError as exc:
        raise InputError(
            f"country-sector {exc.args[0]} is not in the gross output table",
            file=str(paths["Z_long"]),
        ) from None
    Z = sp.csr_matrix((np.asarray(z["value_musd"], float), (rows, cols)), shape=(n, n))
    f = pq.read_table(paths["F_long"]).to_pydict()
    frows = np.fromiter(
        (index[k] for k in zip(f["from_country"], f["from_industry"], strict=True)),
        np.int64,
        len(f["value_musd"]),
    )
    y = np.bincount(frows, weights=np.asarray(f["value_musd"], float), minlength=n).astype(
        np.float64
    )
    return MRIO(
        countries=tuple(c for c, _ in labels),
        sectors=tuple(s for _, s in labels),
        Z=Z,
        y=y,
        x=np.asarray(x["gross_output_musd"], float),
        unit="million USD",
        source=f"WIOD 2013 release, {year}",
    )


def from_pymrio(io: Any, source: str = "pymrio IOSystem", unit: str = "table units") -> MRIO:
    """Convert a pymrio ``IOSystem`` (after ``calc_system``-free parsing: Z and Y are enough)."""
    Z = io.Z
    labels = list(Z.index)
    y = np.asarray(io.Y.sum(axis=1), float)
    x = np.asarray(Z.sum(axis=1), float) + y
    return MRIO(
        countries=tuple(str(r) for r, _ in labels),
        sectors=tuple(str(s) for _, s in labels),
        Z=sp.csr_matrix(np.asarray(Z, float)),
        y=y,
        x=x,
        unit=unit,
        source=source,
    )
