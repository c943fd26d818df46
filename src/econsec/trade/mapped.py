"""Any other trade table (national customs statistics, FAOSTAT...) through a column mapping.

A mapping is a small YAML or JSON document (or a dict)::

    source: kcs                  # name of the source in the workspace (required)
    product_classification: HS   # or another name, e.g. "FAOSTAT item" (codes kept as text)
    hs_revision: HS2017          # HS revision of the product codes (for HS)
    product_digits: 10           # HS10 codes are cut to HS6 and summed at import
    value_unit: usd              # usd, kusd (thousands) or musd (millions)
    quantity_unit: kg            # kg or t
    missing_country: error       # or drop: rows without a country are left out and counted
    reported_by: reconciled      # for exporter/importer tables: importer, exporter or reconciled
    columns:                     # file column for each field
      year: year                 # or period: YYYY, YYYY-MM or YYYYMM
      month: month               # optional
      exporter: ...              # either exporter and importer ...
      importer: ...
      reporter: reporter         # ... or reporter and partner with
      partner: partner
      flow: element              #   a flow column and value (and quantity) columns,
      value: value_kusd
      quantity: ...
      import_value: import_usd   #   or one value column per direction
      export_value: export_usd
      import_quantity: import_kg
      export_quantity: export_kg
    flow_codes: {import: ["Import value", M], export: ["Export value", X]}
    constants: {reporter: KOR}   # a field with the same value on every row

Countries may be ISO alpha-3, alpha-2, numeric or names (e.g. Korea Customs' "HongKong").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from econsec.errors import ConfigError
from econsec.i18n import N_
from econsec.reference.countries import to_alpha3
from econsec.reference.hs import hs_revision
from econsec.trade import fields
from econsec.trade.flows import Reading, canonical_batch, constant, positions
from econsec.trade.tablefile import Batch, TableFile, first_true, open_table

__all__ = ["TableMapping", "load_mapping", "parse_mapping", "read_table"]

_UNITS = {"usd": 1.0, "kusd": 1e3, "musd": 1e6}
_QUANTITY_UNITS = {"kg": 1.0, "t": 1e3}
_FIELDS = {
    "year",
    "period",
    "month",
    "exporter",
    "importer",
    "reporter",
    "partner",
    "flow",
    "value",
    "quantity",
    "import_value",
    "export_value",
    "import_quantity",
    "export_quantity",
    "product",
}


@dataclass(frozen=True, slots=True)
class TableMapping:
    """How the columns of a user table become canonical flows (see the module docstring)."""

    source: str
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    product_classification: str = "HS"
    hs_revision: str = "HS2017"
    product_digits: int = 6
    value_scale: float = 1.0
    quantity_scale: float = 1.0
    missing_country: str = "error"
    reported_by: str = "reconciled"
    import_codes: tuple[str, ...] = ("M", "Import", "import")
    export_codes: tuple[str, ...] = ("X", "Export", "export")

    @property
    def is_hs(self) -> bool:
        return self.product_classification.upper() == "HS"

    def has(self, name: str) -> bool:
        return name in self.columns or name in self.constants


def _need(raw: Mapping[str, Any], key: str, allowed: Mapping[str, float], where: str) -> float:
    value = str(raw.get(key, next(iter(allowed)))).lower()
    if value not in allowed:
        raise ConfigError(f"{where}: {key} is {value!r} (expected one of {', '.join(allowed)})")
    return allowed[value]


def parse_mapping(raw: Any, where: str = "mapping") -> TableMapping:
    """Check a mapping document and build a :class:`TableMapping`."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with 'source' and 'columns'")
    source = raw.get("source")
    if not isinstance(source, str) or not source.replace("_", "").replace("-", "").isalnum():
        raise ConfigError(f"{where}: 'source' must be a short name such as kcs or faostat")
    if source.lower() in {"baci", "comtrade"}:
        raise ConfigError(f"{where}: source {source!r} is reserved for its own loader")
    columns = raw.get("columns")
    constants = {str(k): str(v) for k, v in (raw.get("constants") or {}).items()}
    if not isinstance(columns, dict):
        raise ConfigError(f"{where}: 'columns' must map field names to file columns")
    unknown = (set(columns) | set(constants)) - _FIELDS
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))} "
            f"(expected some of {', '.join(sorted(_FIELDS))})"
        )
    named = set(columns) | set(constants)
    if not ({"year", "period"} & named):
        raise ConfigError(f"{where}: map 'year' or 'period'")
    if "product" not in named:
        raise ConfigError(f"{where}: map 'product'")
    pairs = {"exporter", "importer"} <= named
    reporting = {"reporter", "partner"} <= named
    if pairs == reporting:
        raise ConfigError(f"{where}: map either exporter and importer, or reporter and partner")
    if (
        reporting
        and not ("flow" in named and "value" in named)
        and not ({"import_value", "export_value"} & named)
    ):
        raise ConfigError(
            f"{where}: with reporter and partner, map flow and value, "
            "or import_value and/or export_value"
        )
    if pairs and "value" not in named:
        raise ConfigError(f"{where}: map 'value'")
    codes = raw.get("flow_codes") or {}
    missing_country = str(raw.get("missing_country", "error"))
    if missing_country not in {"error", "drop"}:
        raise ConfigError(f"{where}: missing_country must be error or drop")
    reported_by = str(raw.get("reported_by", "reconciled"))
    if reported_by not in {"importer", "exporter", "reconciled"}:
        raise ConfigError(f"{where}: reported_by must be importer, exporter or reconciled")
    classification = str(raw.get("product_classification", "HS"))
    digits = int(raw.get("product_digits", 6))
    if classification.upper() == "HS" and digits not in (6, 8, 9, 10):
        raise ConfigError(f"{where}: product_digits must be 6, 8, 9 or 10")
    return TableMapping(
        source=source.lower(),
        columns={str(k): str(v) for k, v in columns.items()},
        constants=constants,
        product_classification=classification,
        hs_revision=hs_revision(str(raw["hs_revision"]))
        if "hs_revision" in raw
        else ("HS2017" if classification.upper() == "HS" else classification),
        product_digits=digits,
        value_scale=_need(raw, "value_unit", _UNITS, where),
        quantity_scale=_need(raw, "quantity_unit", _QUANTITY_UNITS, where),
        missing_country=missing_country,
        reported_by=reported_by,
        import_codes=tuple(str(c) for c in codes.get("import", ("M", "Import", "import"))),
        export_codes=tuple(str(c) for c in codes.get("export", ("X", "Export", "export"))),
    )


def load_mapping(path: Path) -> TableMapping:
    """Read a mapping from a YAML or JSON file."""
    try:
        text = path.read_text("utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the column mapping: {exc}") from None
    return parse_mapping(raw, str(path))


def read_table(path: Path, mapping: TableMapping) -> Reading:
    """Read a CSV or Parquet table into canonical flows through ``mapping``."""
    tf = open_table(path)
    tf.require(tuple(dict.fromkeys(mapping.columns.values())), f"the mapping for {mapping.source}")
    dropped: Counter[str] = Counter()
    return Reading(path, mapping.source, _batches(tf, mapping, dropped), dropped)


def _column(tf: TableFile, batch: Batch, m: TableMapping, name: str) -> tuple[Batch, str]:
    """The batch and column holding field ``name`` (constants become a column of their own)."""
    if name in m.columns:
        return batch, m.columns[name]
    column = f"__{name}"
    if column not in batch.columns:
        batch.columns[column] = constant(m.constants[name], batch.length)
    return batch, column


def _resolve_drop(code: str) -> str | None:
    return None if code in ("", "None", "nan") else to_alpha3(code)


def _resolve_strict(code: str) -> str:
    return to_alpha3(code)


def _countries(tf: TableFile, batch: Batch, m: TableMapping, name: str) -> pa.Array:
    b, column = _column(tf, batch, m, name)
    resolve = _resolve_drop if m.missing_country == "drop" else _resolve_strict
    return fields.countries(
        tf, b, column, resolve, "an ISO alpha-3, alpha-2 or numeric code, or a country name"
    )


def _time(tf: TableFile, batch: Batch, m: TableMapping) -> tuple[pa.Array, pa.Array]:
    if m.has("period"):
        b, column = _column(tf, batch, m, "period")
        return fields.periods(tf, b, column)
    b, column = _column(tf, batch, m, "year")
    year = fields.years(tf, b, column)
    if not m.has("month"):
        return year, pa.nulls(batch.length, pa.int8())
    b, column = _column(tf, batch, m, "month")
    values = pc.utf8_trim_whitespace(b.columns[column])
    ok = pc.match_substring_regex(values, r"^(0?[1-9]|1[0-2])$")
    bad = fields.flag(
        tf, b, column, pc.invert(ok), "bad month: {value!r}", N_("a month number 1-12")
    )
    return year, pc.cast(fields.blank(values, bad), pa.int8())


def _product(tf: TableFile, batch: Batch, m: TableMapping) -> tuple[pa.Array, pa.Array]:
    b, column = _column(tf, batch, m, "product")
    raw = pc.utf8_trim_whitespace(b.columns[column])
    if not m.is_hs:
        fields.flag(tf, b, column, pc.equal(raw, ""), "missing product: {value!r}",
                    N_("a {classification} product code"),
                    classification=m.product_classification)  # fmt: skip
        return raw, raw
    return fields.hs6(tf, b, column, digits=m.product_digits), raw


def _batches(tf: TableFile, m: TableMapping, dropped: Counter[str]) -> Iterator[pa.RecordBatch]:
    for batch in tf.batches():
        n = batch.length
        if n == 0:
            continue
        year, month = _time(tf, batch, m)
        product, product_raw = _product(tf, batch, m)
        common = {
            "year": year,
            "month": month,
            "product": product,
            "product_raw": product_raw,
            "hs_revision": constant(m.hs_revision if m.is_hs else m.product_classification, n),
            "source": constant(m.source, n),
            "line": positions(batch),
        }
        for part in _directions(tf, batch, m):
            exporter, importer, reported_by, value, quantity, keep = part
            absent = pc.or_(pc.is_null(exporter), pc.is_null(importer))
            dropped["rows without a country"] += pc.sum(pc.and_(keep, absent)).as_py() or 0
            if tf.problems:  # read on for more problems, and fail at the end
                continue
            yield canonical_batch(
                {
                    **common,
                    "exporter": exporter,
                    "importer": importer,
                    "reported_by": reported_by,
                    "value_usd": value,
                    "quantity_kg": quantity,
                },
                pc.and_(keep, pc.invert(absent)),
            )


def _quantity(tf: TableFile, batch: Batch, m: TableMapping, name: str) -> pa.Array:
    if not m.has(name):
        return pa.nulls(batch.length, pa.float64())
    b, column = _column(tf, batch, m, name)
    return fields.numbers(tf, b, column, scale=m.quantity_scale, optional=True)


def _value(tf: TableFile, batch: Batch, m: TableMapping, name: str) -> pa.Array:
    b, column = _column(tf, batch, m, name)
    return fields.numbers(tf, b, column, scale=m.value_scale)


Part = tuple[pa.Array, pa.Array, pa.Array, pa.Array, pa.Array, pa.Array]


def _directions(tf: TableFile, batch: Batch, m: TableMapping) -> Iterator[Part]:
    n = batch.length
    everything = pa.repeat(pa.scalar(True), n)
    if m.has("exporter"):
        yield (
            _countries(tf, batch, m, "exporter"),
            _countries(tf, batch, m, "importer"),
            constant(m.reported_by, n),
            _value(tf, batch, m, "value"),
            _quantity(tf, batch, m, "quantity"),
            everything,
        )
        return
    reporter = _countries(tf, batch, m, "reporter")
    partner = _countries(tf, batch, m, "partner")
    if m.has("flow"):
        b, column = _column(tf, batch, m, "flow")
        flow = pc.utf8_trim_whitespace(b.columns[column])
        is_m = pc.is_in(flow, value_set=pa.array(m.import_codes))
        is_x = pc.is_in(flow, value_set=pa.array(m.export_codes))
        if (bad := first_true(pc.invert(pc.or_(is_m, is_x)))) is not None:
            raise tf.error(
                "unknown flow {v1!r}",
                values={"v1": flow[bad].as_py()},
                at=batch.first + bad,
                column=column,
                expected=f"one of {', '.join(m.import_codes + m.export_codes)} "
                "(set flow_codes in the mapping)",
            )
        yield (
            pc.if_else(is_m, partner, reporter),
            pc.if_else(is_m, reporter, partner),
            pc.if_else(is_m, "importer", "exporter"),
            _value(tf, batch, m, "value"),
            _quantity(tf, batch, m, "quantity"),
            everything,
        )
        return
    if m.has("import_value"):
        yield (
            partner,
            reporter,
            constant("importer", n),
            _value(tf, batch, m, "import_value"),
            _quantity(tf, batch, m, "import_quantity"),
            everything,
        )
    if m.has("export_value"):
        yield (
            reporter,
            partner,
            constant("exporter", n),
            _value(tf, batch, m, "export_value"),
            _quantity(tf, batch, m, "export_quantity"),
            everything,
        )
