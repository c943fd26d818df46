"""Checked conversion of text columns into the values of the flows table.

Each function converts one column of a :class:`~econsec.trade.tablefile.Batch` at once
(vectorised). Bad values are noted on the :class:`~econsec.trade.tablefile.TableFile` (file,
line, column, the value and the expected form) and read as null, so that one pass reports up to
the first 20 problems of a file; the reading then fails with all of them.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import NotFoundError
from econsec.i18n import N_
from econsec.trade.tablefile import MAX_PROBLEMS, Batch, TableFile, first_true

__all__ = ["blank", "countries", "flag", "hs6", "missing", "numbers", "periods", "years"]

_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_MISSING = ("", "NA", "N/A", "NaN", "nan", "null", "NULL")


def missing(values: pa.Array) -> pa.Array:
    """True where a text value means "no value" (empty, NA, NaN, null)."""
    return pc.is_in(pc.utf8_trim_whitespace(values), value_set=pa.array(_MISSING))


def flag(
    tf: TableFile, batch: Batch, column: str, bad: pa.Array, problem: str, expected: str,
    **values: object,
) -> pa.Array:  # fmt: skip
    """Note the values where ``bad`` is true (the first :data:`MAX_PROBLEMS` of the batch);
    return ``bad`` with nulls read as false, for masking. ``problem`` and ``expected`` are
    catalogue messages; ``{value}`` in them is the bad value, other fields come from
    ``values``."""
    bad = pc.fill_null(bad, False)
    if first_true(bad) is None:
        return bad
    for index in pc.indices_nonzero(bad).to_pylist()[:MAX_PROBLEMS]:
        value = batch.columns[column][index].as_py()
        tf.note(problem, at=batch.first + index, column=column, expected=expected,
                values={"value": value, **values})  # fmt: skip
    return bad


def blank(values: pa.Array, bad: pa.Array) -> pa.Array:
    """``values`` with nulls where ``bad`` is true."""
    return pc.if_else(bad, pa.scalar(None, values.type), values)


def numbers(
    tf: TableFile, batch: Batch, column: str, *, scale: float = 1.0, optional: bool = False
) -> pa.Array:
    """Non-negative numbers, multiplied by ``scale``; empty/NA become null when ``optional``."""
    values = batch.columns[column]
    absent = missing(values)
    if not optional:
        flag(tf, batch, column, absent, "missing value: {value!r}", N_("a number"))
    ok = pc.or_(absent, pc.match_substring_regex(values, _NUMBER))
    bad = flag(
        tf, batch, column, pc.invert(ok), "not a number: {value!r}", N_("a number such as 1234.5")
    )
    parsed = pc.cast(blank(pc.utf8_trim_whitespace(values), pc.or_(absent, bad)), pa.float64())
    negative = flag(
        tf, batch, column, pc.less(parsed, 0), "negative value: {value!r}", N_("a number >= 0")
    )
    parsed = blank(parsed, negative)
    return pc.multiply(parsed, scale) if scale != 1.0 else parsed


def years(tf: TableFile, batch: Batch, column: str) -> pa.Array:
    """Four-digit years between 1900 and 2100 as int16."""
    values = pc.utf8_trim_whitespace(batch.columns[column])
    ok = pc.match_substring_regex(values, r"^(19|20)\d\d$|^2100$")
    bad = flag(
        tf,
        batch,
        column,
        pc.invert(ok),
        "not a year: {value!r}",
        N_("a four-digit year such as 2022"),
    )
    return pc.cast(blank(values, bad), pa.int16())


def periods(tf: TableFile, batch: Batch, column: str) -> tuple[pa.Array, pa.Array]:
    """Periods ``YYYY``, ``YYYYMM`` or ``YYYY-MM`` as (year int16, month int8 or null)."""
    values = pc.replace_substring(pc.utf8_trim_whitespace(batch.columns[column]), "-", "")
    ok = pc.match_substring_regex(values, r"^(19|20)\d\d((0[1-9])|(1[0-2]))?$")
    bad = flag(
        tf, batch, column, pc.invert(ok), "bad period: {value!r}", N_("YYYY, YYYYMM or YYYY-MM")
    )
    values = blank(values, bad)
    year = pc.cast(pc.utf8_slice_codeunits(values, 0, 4), pa.int16())
    monthly = pc.equal(pc.utf8_length(values), 6)
    digits = pc.if_else(
        monthly, pc.utf8_slice_codeunits(values, 4, 6), pa.scalar(None, pa.string())
    )
    return year, pc.cast(digits, pa.int8())


def hs6(tf: TableFile, batch: Batch, column: str, *, digits: int = 6) -> pa.Array:
    """HS codes of ``digits`` digits (one lost leading zero restored), cut to six digits."""
    values = pc.utf8_trim_whitespace(batch.columns[column])
    length = pc.utf8_length(values)
    is_digits = pc.match_substring_regex(values, r"^\d+$")
    padded = pc.if_else(
        pc.equal(length, digits - 1), pc.binary_join_element_wise("0", values, ""), values
    )
    ok = pc.and_(is_digits, pc.equal(pc.utf8_length(padded), digits))
    example = "850511" if digits == 6 else "8505110000"[:digits]
    flag(tf, batch, column, pc.invert(ok), "HS code is not {digits} digits: {value!r}",
         N_("a {digits}-digit HS code such as {example}"), digits=digits, example=example)  # fmt: skip
    return pc.utf8_slice_codeunits(padded, 0, 6) if digits > 6 else padded


def countries(
    tf: TableFile, batch: Batch, column: str, resolve: Callable[[str], str | None], expected: str
) -> pa.Array:
    """Country codes resolved to alpha-3 by ``resolve``; None from it marks a row to drop.

    ``resolve`` raises :class:`NotFoundError` for unknown codes; the error is located here.
    """
    values = pc.utf8_trim_whitespace(batch.columns[column])
    unique = pc.unique(values).to_pylist()
    table: dict[str, str | None] = {}
    for code in unique:
        try:
            table[code] = resolve(code)
        except NotFoundError as err:  # noted once per unknown code, at its first row
            table[code] = None
            hint = str(err).partition("; ")[2]
            tf.note("unknown country code: {code!r}", values={"code": code}, column=column,
                    at=batch.first + pc.index(values, code).as_py(),
                    expected=expected + (f"; {hint}" if hint else ""))  # fmt: skip
    keys = pa.array(list(table), pa.string())
    mapped = pa.array(list(table.values()), pa.string())
    return pc.take(mapped, pc.index_in(values, value_set=keys))
