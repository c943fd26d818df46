"""Reading tabular input files (CSV, gzip-compressed CSV, Parquet) in bounded-memory batches.

Every column is read as text so that each loader validates and converts values itself and can
say exactly which line is wrong. A CSV line number is the row's position in the file (the header
is line 1); quoted values spanning several lines are not supported in trade files. For Parquet
files the position is reported as a row number (the first row is row 1).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from econsec.errors import InputError, InputProblems
from econsec.i18n import N_

__all__ = ["MAX_PROBLEMS", "Batch", "TableFile", "first_true", "open_table"]

#: How many bad values one reading of a file reports before it stops.
MAX_PROBLEMS = 20

BLOCK_BYTES = 16 << 20


@dataclass(frozen=True, slots=True)
class Batch:
    """Some consecutive rows of a file, every column as text, with the position of the first row."""

    columns: dict[str, pa.Array]
    first: int
    length: int


@dataclass(frozen=True, slots=True)
class TableFile:
    """An input file: its path, column names and the unit of positions in messages."""

    path: Path
    columns: tuple[str, ...]
    kind: str  # "csv" or "parquet"
    delimiter: str = ","
    #: Bad values found so far; reading goes on to report up to :data:`MAX_PROBLEMS` at once.
    problems: list[InputError] = field(default_factory=list, compare=False, repr=False)

    @property
    def position(self) -> str:
        """``"line"`` for CSV files, ``"row"`` for Parquet."""
        return "line" if self.kind == "csv" else "row"

    def error(
        self,
        problem: str,
        *,
        at: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> InputError:
        """An :class:`InputError` located in this file."""
        where = {"line": at} if self.kind == "csv" else {"row": at}
        return InputError(problem, file=str(self.path), column=column, expected=expected,
                          values=values, **where)  # fmt: skip

    def note(
        self,
        problem: str,
        *,
        at: int | None,
        column: str | None,
        expected: str | None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        """Record a bad value and read on (the reading fails after the batch, with the first
        :data:`MAX_PROBLEMS` by position, or at the end)."""
        line, row = (at, None) if self.kind == "csv" else (None, at)
        self.problems.append(InputError(problem, line=line, row=row, column=column,
                                        expected=expected, values=values))  # fmt: skip

    def failure(self, stopped: bool = False) -> InputError:
        """The problems found, first by position, as one error naming this file; a single
        problem reads as before: file, position, column, value and the expected form."""
        found = sorted(self.problems, key=lambda e: (e.line or e.row or 0, e.column or ""))
        if len(found) == 1:
            (one,) = found
            return InputError(one.template, file=str(self.path), line=one.line, row=one.row,
                              column=one.column, expected=one.expected, values=one.values)  # fmt: skip
        limit = MAX_PROBLEMS if stopped or len(found) > MAX_PROBLEMS else None
        return InputProblems(str(self.path), found[:MAX_PROBLEMS], limit=limit)

    def _check(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        for batch in batches:
            yield batch
            if len(self.problems) >= MAX_PROBLEMS:
                raise self.failure(stopped=True)
        if self.problems:
            raise self.failure()

    def require(self, names: tuple[str, ...], layout: str) -> None:
        """Fail naming the missing columns (and near misses) unless all ``names`` are present."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            near = [c for c in self.columns if c.lower() in {m.lower() for m in missing}]
            hint = f"; found {', '.join(near)} (names are case-sensitive)" if near else ""
            raise self.error(
                "missing column(s) {v1}{hint}",
                values={"v1": ", ".join(missing), "hint": hint},
                at=1 if self.kind == "csv" else None,
                expected=f"the columns of {layout}: {', '.join(names)}",
            )

    def batches(self) -> Iterator[Batch]:
        """The rows in batches; raises :class:`InputError` on unreadable content."""
        batches = self._parquet_batches() if self.kind == "parquet" else self._csv_batches()
        yield from self._check(batches)

    def _parquet_batches(self) -> Iterator[Batch]:
        first = 1
        parquet = pq.ParquetFile(self.path)
        for record_batch in parquet.iter_batches(batch_size=1 << 20):
            columns = {
                name: _as_text(record_batch.column(i))
                for i, name in enumerate(record_batch.schema.names)
            }
            yield Batch(columns, first, record_batch.num_rows)
            first += record_batch.num_rows

    def _csv_batches(self) -> Iterator[Batch]:
        first = 2
        invalid: list[tuple[str, int, int]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            invalid.append((row.text, row.expected_columns, row.actual_columns))
            return "error"

        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for record_batch in reader:
                columns = {
                    name: record_batch.column(i) for i, name in enumerate(record_batch.schema.names)
                }
                yield Batch(columns, first, record_batch.num_rows)
                first += record_batch.num_rows
        except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
            if invalid:
                text, expected, actual = invalid[0]
                raise self.error(
                    "{actual} fields where the header has {expected}",
                    values={"actual": actual, "expected": expected},
                    at=_line_of(self.path, text),
                    expected=f"{expected} fields ({self.delimiter.join(self.columns)})",
                ) from None
            raise self._explain(exc) from None

    def _explain(self, exc: Exception) -> InputError:
        text = str(exc)
        if "UTF8" in text or "UTF-8" in text:
            line = _first_bad_utf8_line(self.path)
            return self.error(
                "text is not valid UTF-8",
                at=line,
                expected=N_("a UTF-8 encoded file (re-save it as UTF-8, e.g. with iconv -t UTF-8)"),
            )
        if self.path.suffix == ".gz" or "gzip" in text.lower() or "compress" in text.lower():
            return self.error(
                "the compressed file is truncated or corrupt ({v1})",
                values={"v1": text.splitlines()[0]},
                expected=N_("a complete gzip file (download it again)"),
            )
        return self.error("cannot read the file: {v1}", values={"v1": text.splitlines()[0]})


def _as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return pc.fill_null(array.cast(pa.string()), "")


def _first_bad_utf8_line(path: Path) -> int | None:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _line_of(path: Path, text: str) -> int | None:
    """The number of the first line after the header that reads ``text`` (error paths only)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if number > 1 and line.rstrip("\r\n") == text:
                    return number
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _read_header(path: Path) -> tuple[tuple[str, ...], str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.readline()
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            "cannot read the file ({exc})",
            values={"exc": exc},
            file=str(path),
            expected=N_("a readable CSV file, plain or gzip-compressed"),
        ) from None
    if not raw.strip():
        raise InputError(
            "the file is empty", file=str(path), expected=N_("a header line and data rows")
        )
    try:
        header = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise InputError(
            "the header is not valid UTF-8",
            file=str(path),
            line=1,
            expected=N_("a UTF-8 encoded file"),
        ) from None
    delimiter = "\t" if "\t" in header and "," not in header else ","
    return tuple(name.strip().strip('"') for name in header.split(delimiter)), delimiter


def open_table(path: Path) -> TableFile:
    """Open a CSV (optionally ``.gz``) or Parquet file for batch reading."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if path.suffix.lower() == ".parquet":
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(
                "not a readable Parquet file ({exc})", values={"exc": exc}, file=str(path)
            ) from None
        return TableFile(path, tuple(schema.names), "parquet")
    columns, delimiter = _read_header(path)
    return TableFile(path, columns, "csv", delimiter)


def first_true(mask: pa.Array | pa.ChunkedArray) -> int | None:
    """Index of the first true value of a boolean array, or None."""
    index = pc.index(pc.fill_null(mask, False), True).as_py()
    return None if index < 0 else int(index)
