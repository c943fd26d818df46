"""CEPII BACI: reconciled bilateral trade at HS6, as published.

A BACI release is a folder of yearly files ``BACI_HS17_Y2022_V202601.csv`` with the columns
``t,i,j,k,v,q`` (year, exporter, importer, HS6 product, value in thousands of USD, quantity in
metric tonnes) and the release's country-code file ``country_codes_V202601.csv``
(``country_code,country_name,country_iso2,country_iso3``; older releases name the last two
``iso_2digit_alpha,iso_3digit_alpha``). Exporters and importers are numeric codes resolved with
that file. BACI's code 490 "Other Asia, nes" (alpha code ``S19``) is Taiwan and becomes ``TWN``;
other BACI areas without an ISO code keep BACI's alpha code (e.g. ``R20`` "Europe EFTA, nes").
Quantities may be empty or ``NA``; HS6 codes that lost their leading zero are restored.

Reference: Gaulier, G. and Zignago, S. (2010) BACI: International Trade Database at the
Product-Level. The 1994-2007 Version. CEPII Working Paper 2010-23.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_
from econsec.reference.hs import hs_revision
from econsec.trade import fields
from econsec.trade.flows import Reading, canonical_batch, constant, positions
from econsec.trade.tablefile import TableFile, open_table

__all__ = ["BACI_COLUMNS", "find_country_file", "read_baci", "read_country_codes"]

BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
_NON_ISO = {"S19": "TWN"}
_NAME = re.compile(r"BACI_(HS\d\d)_Y(\d{4})_(V\d+)", re.IGNORECASE)


def find_country_file(data_file: Path) -> Path:
    """The release's ``country_codes_V*.csv`` beside ``data_file`` (same version when possible)."""
    candidates = sorted(data_file.parent.glob("country_codes_V*.csv"))
    if not candidates:
        raise InputError(
            "no BACI country-code file beside the data file",
            file=str(data_file),
            expected=N_("country_codes_V*.csv in the same folder, or give it with --country-codes"),
        )
    match = _NAME.search(data_file.name)
    if match:
        for candidate in candidates:
            if candidate.stem.endswith(match[3]):
                return candidate
    return candidates[-1]


def read_country_codes(path: Path) -> dict[str, str]:
    """Numeric BACI code (as text) to alpha-3, from a BACI country-code file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            names = reader.fieldnames or []
            iso3 = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in names), None)
            if "country_code" not in names or iso3 is None:
                raise InputError(
                    "not a BACI country-code file",
                    file=str(path),
                    line=1,
                    expected=N_("columns country_code and country_iso3 (or iso_3digit_alpha)"),
                )
            table: dict[str, str] = {}
            for line, row in enumerate(reader, start=2):
                code, alpha = row["country_code"].strip(), (row[iso3] or "").strip()
                if not code.isdigit() or not alpha:
                    raise InputError(
                        "bad country row",
                        file=str(path),
                        line=line,
                        expected=N_("a numeric country_code and an alpha-3 code"),
                    )
                table[str(int(code))] = _NON_ISO.get(alpha, alpha)
    except UnicodeDecodeError:
        raise InputError(
            "not UTF-8 text", file=str(path), expected=N_("a UTF-8 CSV file")
        ) from None
    return table


def _revision(path: Path, given: str | None) -> str:
    if given:
        return hs_revision(given)
    match = _NAME.search(path.name)
    if match is None:
        raise InputError(
            "cannot tell the HS revision from the file name",
            file=str(path),
            expected=N_("a name like BACI_HS17_Y2022_V202601.csv, or give --hs-revision"),
        )
    return hs_revision(match[1])


def read_baci(
    path: Path, *, country_codes: Path | None = None, hs_rev: str | None = None
) -> Reading:
    """Read a BACI CSV file (plain or ``.gz``) into canonical flows."""
    tf = open_table(path)
    tf.require(BACI_COLUMNS, "a BACI file")
    revision = _revision(path, hs_rev)
    codes_file = country_codes or find_country_file(path)
    codes = read_country_codes(codes_file)
    return Reading(path=path, source="baci", batches=_batches(tf, codes, codes_file, revision))


def _batches(
    tf: TableFile, codes: dict[str, str], codes_file: Path, revision: str
) -> Iterator[pa.RecordBatch]:
    def resolve(code: str) -> str:
        key = str(int(code)) if code.isdigit() else code
        if key not in codes:
            raise NotFoundError(code)
        return codes[key]

    expected = f"a numeric code listed in {codes_file.name}"
    for batch in tf.batches():
        n = batch.length
        if n == 0:
            continue
        product = fields.hs6(tf, batch, "k")
        columns = {
            "year": fields.years(tf, batch, "t"),
            "month": pa.nulls(n, pa.int8()),
            "exporter": fields.countries(tf, batch, "i", resolve, expected),
            "importer": fields.countries(tf, batch, "j", resolve, expected),
            "product": product,
            "hs_revision": constant(revision, n),
            "value_usd": fields.numbers(tf, batch, "v", scale=1000.0),
            "quantity_kg": fields.numbers(tf, batch, "q", scale=1000.0, optional=True),
            "source": constant("baci", n),
            "reported_by": constant("reconciled", n),
            "line": positions(batch),
            "product_raw": product,
        }
        if not tf.problems:  # else read on for more problems, and fail at the end
            yield canonical_batch(columns)
