"""UN Comtrade: trade as each country reported it, from bulk files or the API.

The columns are those of the Comtrade API and bulk downloads: ``refYear`` or ``period``
(``YYYY`` or ``YYYYMM``), ``reporterCode`` or ``reporterISO``, ``partnerCode`` or
``partnerISO``, ``cmdCode``, ``flowCode`` (``M`` import, ``X`` export), ``primaryValue`` (USD),
``netWgt`` (kg, may be empty) and, when present, ``classificationCode`` (``H5``...),
``motCode``, ``customsCode`` and ``partner2Code``. Comma- or tab-separated, plain or ``.gz``.

Rules, in order:

* only the totals are kept when the file carries breakdowns: ``motCode`` 0, ``customsCode``
  ``C00``, ``partner2Code`` 0 (other rows repeat parts of the totals);
* only ``M`` and ``X`` flows are kept (re-imports and re-exports are dropped and counted);
* partner "World" (0) and Comtrade's non-country areas ("Areas, nes", bunkers, free zones,
  "Other Europe, nes"...) are dropped and counted; any other unknown code is an error;
* an import row of reporter R from partner P is the flow P -> R reported by the importer; an
  export row of R to P is the flow R -> P reported by the exporter. Both sides are kept, and
  :data:`econsec.trade.flows.MIRROR_RULE` chooses between them when one value is needed;
* exact duplicate rows are removed at import (Comtrade extracts often repeat rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import NotFoundError
from econsec.i18n import N_
from econsec.reference.countries import to_alpha3
from econsec.reference.hs import hs_revision
from econsec.trade import fields
from econsec.trade.flows import Reading, canonical_batch, constant, positions
from econsec.trade.tablefile import Batch, TableFile, open_table

__all__ = ["AREA_CODES", "read_comtrade"]

#: M49/Comtrade codes of partners that are not countries: World, EU, and "nes" areas.
AREA_CODES: frozenset[str] = frozenset(
    {
        "0",
        "97",
        "129",
        "221",
        "290",
        "471",
        "472",
        "473",
        "492",
        "527",
        "536",
        "568",
        "577",
        "636",
        "637",
        "697",
        "837",
        "838",
        "839",
        "849",
        "879",
        "899",
    }
)
_AREA_ISO = frozenset({"W00", "EUR", "_X", "X1", "XX"})


def _resolve(code: str) -> str | None:
    if code.isdigit():
        if str(int(code)) in AREA_CODES:
            return None
        return to_alpha3(int(code))
    if code.upper() in _AREA_ISO or code.upper().startswith(("X", "_")):
        return None
    return to_alpha3(code)


def _pick(tf: TableFile, *names: str) -> str:
    for name in names:
        if name in tf.columns:
            return name
    raise tf.error(
        "missing column {v1}",
        values={"v1": " or ".join(names)},
        at=1 if tf.kind == "csv" else None,
        expected=N_(
            "the columns of a UN Comtrade extract (refYear or period, reporterCode, "
            "partnerCode, cmdCode, flowCode, primaryValue, netWgt)"
        ),
    )


def read_comtrade(path: Path, *, hs_rev: str | None = None) -> Reading:
    """Read a UN Comtrade CSV (bulk file or API output) into canonical flows, both sides kept."""
    tf = open_table(path)
    period = _pick(tf, "period", "refYear")
    reporter = _pick(tf, "reporterCode", "reporterISO")
    partner = _pick(tf, "partnerCode", "partnerISO")
    tf.require(("cmdCode", "flowCode", "primaryValue"), "a UN Comtrade extract")
    if hs_rev is None and "classificationCode" not in tf.columns:
        raise tf.error(
            "cannot tell the HS revision",
            expected=N_("a classificationCode column, or give --hs-revision"),
        )
    dropped: Counter[str] = Counter()
    columns = (period, reporter, partner)
    return Reading(path, "comtrade", _batches(tf, columns, hs_rev, dropped), dropped)


def _revisions(tf: TableFile, batch: Batch, given: str | None) -> pa.Array:
    if given is not None:
        return constant(hs_revision(given), batch.length)
    values = pc.utf8_trim_whitespace(batch.columns["classificationCode"])
    table = {}
    for code in pc.unique(values).to_pylist():
        try:
            table[code] = hs_revision(code)
        except NotFoundError:
            bad = pc.index(values, code).as_py()
            raise tf.error(
                "unknown classification {code!r}",
                values={"code": code},
                at=batch.first + bad,
                column="classificationCode",
                expected=N_("an HS revision such as H5 or H6"),
            ) from None
    keys = pa.array(list(table), pa.string())
    return pc.take(pa.array(list(table.values()), pa.string()), pc.index_in(values, value_set=keys))


def _totals(batch: Batch, dropped: Counter[str]) -> pa.Array:
    keep = pa.repeat(pa.scalar(True), batch.length)
    for column, total in (("motCode", "0"), ("customsCode", "C00"), ("partner2Code", "0")):
        if column in batch.columns:
            values = pc.utf8_trim_whitespace(batch.columns[column])
            is_total = pc.or_(pc.equal(values, total), pc.equal(values, ""))
            dropped[f"breakdown rows ({column} not {total})"] += (
                pc.sum(pc.invert(is_total)).as_py() or 0
            )
            keep = pc.and_(keep, is_total)
    return keep


def _batches(
    tf: TableFile, columns: tuple[str, str, str], hs_rev: str | None, dropped: Counter[str]
) -> Iterator[pa.RecordBatch]:
    period, reporter_col, partner_col = columns
    expected = "an M49 numeric or ISO alpha-3 country code"
    for batch in tf.batches():
        n = batch.length
        if n == 0:
            continue
        keep = _totals(batch, dropped)
        flow = pc.utf8_upper(pc.utf8_trim_whitespace(batch.columns["flowCode"]))
        is_m, is_x = pc.equal(flow, "M"), pc.equal(flow, "X")
        other_flow = pc.and_(keep, pc.invert(pc.or_(is_m, is_x)))
        dropped["flows other than M and X"] += pc.sum(other_flow).as_py() or 0
        keep = pc.and_(keep, pc.or_(is_m, is_x))
        year, month = fields.periods(tf, batch, period)
        reporter = fields.countries(tf, batch, reporter_col, _resolve, expected)
        partner = fields.countries(tf, batch, partner_col, _resolve, expected)
        areas = pc.and_(keep, pc.or_(pc.is_null(reporter), pc.is_null(partner)))
        dropped["partner World or a non-country area"] += pc.sum(areas).as_py() or 0
        keep = pc.and_(keep, pc.invert(areas))
        product = fields.hs6(tf, batch, "cmdCode")
        weight = (
            fields.numbers(tf, batch, "netWgt", optional=True)
            if "netWgt" in batch.columns
            else pa.nulls(n, pa.float64())
        )
        flows = {
            "year": year,
            "month": month,
            "exporter": pc.if_else(is_m, partner, reporter),
            "importer": pc.if_else(is_m, reporter, partner),
            "product": product,
            "hs_revision": _revisions(tf, batch, hs_rev),
            "value_usd": fields.numbers(tf, batch, "primaryValue"),
            "quantity_kg": weight,
            "source": constant("comtrade", n),
            "reported_by": pc.if_else(is_m, "importer", "exporter"),
            "line": positions(batch),
            "product_raw": product,
        }
        if not tf.problems:  # else read on for more problems, and fail at the end
            yield canonical_batch(flows, keep)
