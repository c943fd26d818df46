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

__all__ = ["KINDS", "MRIO", "from_pymrio", "read_mrio", "read_wiod"]

KINDS = ("wiod", "oecd", "exiobase3")


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
    """The WIOD 2013 release for ``year``, from its long Parquet files.

    Parameters
    ----------
    folder : pathlib.Path
        A folder with ``wiot{year}_Z_long.parquet``, ``wiot{year}_F_long.parquet`` and
        ``wiot{year}_x.parquet`` (million USD).
    year : int
        The table's year.

    Returns
    -------
    MRIO

    Raises
    ------
    NotFoundError
        When a file of the year is missing.
    InputError
        When the flows name a country-sector the output table lacks.

    Examples
    --------
    The real table (40 countries and the rest of the world × 35 industries):

    >>> mrio = read_wiod(Path("../shared/data/wiod2013_mrio"), 2011)
    >>> mrio.n, mrio.unit, mrio.countries[0], mrio.sectors[0]
    (1435, 'million USD', 'AUS', 'c1')

    References
    ----------
    Timmer, M. P. et al. (2015), An illustrated user guide to the World Input-Output Database,
    *Review of International Economics* 23(3).
    """
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
            "country-sector {v1} is not in the gross output table",
            values={"v1": exc.args[0]},
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


def _region(code: str) -> str:
    """ISO alpha-3 for a table's region code where one exists (EXIOBASE uses alpha-2; its
    rest-of-world regions such as ``WA`` stay as they are)."""
    from econsec.reference.countries import to_alpha3

    if len(code) in (2, 3) and code.isalpha() and code.isupper():
        try:
            return to_alpha3(code)
        except NotFoundError:
            return code
    return code


def from_pymrio(io: Any, source: str = "pymrio IOSystem", unit: str = "table units") -> MRIO:
    """Convert a pymrio ``IOSystem``: its Z and Y are enough (no ``calc_system``, which would
    invert densely). Region codes become ISO alpha-3 where they are ISO codes.

    Parameters
    ----------
    io : pymrio.IOSystem
        A parsed table.
    source, unit : str
        What to name the table and its unit.

    Returns
    -------
    MRIO

    Examples
    --------
    >>> import pymrio
    >>> mrio = from_pymrio(pymrio.load_test(), source="pymrio test system")
    >>> mrio.n, mrio.countries[0], mrio.sectors[:2]
    (48, 'reg1', ('food', 'mining'))
    """
    Z = io.Z
    labels = [(_region(str(r)), s) for r, s in Z.index]
    y = np.asarray(io.Y.sum(axis=1), float)
    x = np.asarray(Z.sum(axis=1), float) + y
    return MRIO(
        countries=tuple(r for r, _ in labels),
        sectors=tuple(str(s) for _, s in labels),
        Z=sp.csr_matrix(np.asarray(Z, float)),
        y=y,
        x=x,
        unit=unit,
        source=source,
    )


def read_mrio(path: Path, year: int, kind: str = "wiod") -> MRIO:
    """A table from a user's files, through its reader.

    Parameters
    ----------
    path : pathlib.Path
        ``wiod``: the WIOD 2013 Parquet folder; ``oecd``: an OECD ICIO CSV or zip, or a folder
        holding ``ICIO*_YEAR``; ``exiobase3``: an EXIOBASE 3 zip or folder.
    year : int
        The table's year.
    kind : str
        ``wiod``, ``oecd`` or ``exiobase3`` (the last two through pymrio's parsers).

    Returns
    -------
    MRIO

    Raises
    ------
    InputError
        For an unknown kind, or naming the file and what was expected when it cannot be read.

    Examples
    --------
    >>> read_mrio(Path("../shared/data/wiod2013_mrio"), 2011).source
    'WIOD 2013 release, 2011'
    >>> read_mrio(Path("nowhere.csv"), 2011, "oecd")
    Traceback (most recent call last):
    econsec.errors.InputError: nowhere.csv: no such file or folder
    """
    if kind == "wiod":
        return read_wiod(path, year)
    if kind not in KINDS:
        raise InputError(
            "unknown table kind {kind!r}", values={"kind": kind}, expected=", ".join(KINDS)
        )
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    import pymrio

    try:
        if kind == "oecd":
            io = pymrio.parse_oecd(path, year=year)
            source, unit = f"OECD ICIO, {year} ({path.name})", "million USD"
        else:
            io = pymrio.parse_exiobase3(path)
            source, unit = f"EXIOBASE 3 ({path.name})", "million EUR"
    except FileNotFoundError as exc:
        raise InputError("not found: {exc}", values={"exc": exc}, file=str(path)) from None
    except Exception as exc:  # pymrio's parsers raise many kinds on a malformed file
        expected = "an OECD ICIO table (CSV)" if kind == "oecd" else "an EXIOBASE 3 archive"
        raise InputError(
            "cannot parse: {exc}", values={"exc": exc}, file=str(path), expected=expected
        ) from None
    return from_pymrio(io, source=source, unit=unit)
