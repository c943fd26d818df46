"""The canonical bilateral trade flows table.

One row is a flow of one HS6 product from an exporter to an importer in a year (and month when
known), as one reporter declared it::

    year         int16    calendar year
    month        int8     1-12, or null for annual data
    exporter     string   ISO 3166 alpha-3 (BACI/Comtrade area codes where no country exists)
    importer     string   ISO 3166 alpha-3
    product      string   six-digit HS code (or the code of another classification, see hs_revision)
    hs_revision  string   HS1992 ... HS2022, or the name of another product classification
    value_usd    float64  value in US dollars
    quantity_kg  float64  net weight in kilograms, null when unknown
    source       string   the dataset, e.g. "baci", "comtrade", "kcs"
    reported_by  string   "importer", "exporter" or "reconciled" (BACI reconciles both sides)

Mirror data. Comtrade holds each flow twice, as the importer and as the exporter declared it.
Both are kept. When one value per flow is needed, :data:`MIRROR_RULE` applies: the
importer-reported value is preferred (imports are recorded more carefully, being taxed), the
exporter-reported value is the fallback when the importer did not report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from econsec.trade.tablefile import Batch

__all__ = [
    "FLOW_KEY",
    "FLOW_SCHEMA",
    "MIRROR_RULE",
    "READING_SCHEMA",
    "Reading",
    "best_flows_sql",
    "canonical_batch",
    "constant",
    "positions",
]

FLOW_SCHEMA = pa.schema(
    [
        pa.field("year", pa.int16(), nullable=False),
        pa.field("month", pa.int8()),
        pa.field("exporter", pa.string(), nullable=False),
        pa.field("importer", pa.string(), nullable=False),
        pa.field("product", pa.string(), nullable=False),
        pa.field("hs_revision", pa.string(), nullable=False),
        pa.field("value_usd", pa.float64(), nullable=False),
        pa.field("quantity_kg", pa.float64()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("reported_by", pa.string(), nullable=False),
    ]
)

#: Columns that identify one flow as one reporter declared it.
FLOW_KEY: tuple[str, ...] = (
    "source",
    "year",
    "month",
    "exporter",
    "importer",
    "product",
    "reported_by",
)

MIRROR_RULE = (
    "one value per flow: a reconciled value (BACI) when the source has one; otherwise the "
    "importer-reported value; the exporter-reported value only when the importer did not report"
)


def best_flows_sql(relation: str) -> str:
    """SQL (DuckDB and Spark) that applies :data:`MIRROR_RULE` to the flows in ``relation``.

    The result has the columns of :data:`FLOW_SCHEMA`, one row per
    (source, year, month, exporter, importer, product).
    """
    columns = ", ".join(f.name for f in FLOW_SCHEMA)
    return f"""
        SELECT {columns} FROM (
            SELECT {columns}, row_number() OVER (
                PARTITION BY source, year, month, exporter, importer, product
                ORDER BY CASE reported_by WHEN 'reconciled' THEN 0 WHEN 'importer' THEN 1 ELSE 2 END
            ) AS econsec_rank
            FROM {relation}
        ) ranked WHERE econsec_rank = 1
    """


@dataclass(frozen=True)
class Reading:
    """Flows being read from one input file.

    ``batches`` yields record batches with the columns of :data:`FLOW_SCHEMA` plus ``line``
    (position in the file, for messages) and ``product_raw`` (the product code as declared,
    before cutting to HS6). ``dropped`` counts the rows left out on purpose, by reason; it is
    complete once ``batches`` is exhausted.
    """

    path: Path
    source: str
    batches: Iterator[pa.RecordBatch]
    dropped: Counter[str] = field(default_factory=Counter)


def constant(value: str, n: int) -> pa.Array:
    """A text column holding ``value`` ``n`` times (dictionary-free, cheap)."""
    return pa.repeat(pa.scalar(value, pa.string()), n) if n else pa.array([], pa.string())


def positions(batch: Batch) -> pa.Array:
    """The file positions (line or row numbers) of a batch's rows."""
    return pa.array(np.arange(batch.first, batch.first + batch.length, dtype=np.int64))


def canonical_batch(columns: dict[str, pa.Array], keep: pa.Array | None = None) -> pa.RecordBatch:
    """A record batch of :data:`READING_SCHEMA` from arrays, keeping only rows where ``keep``."""
    batch = pa.RecordBatch.from_arrays(
        [columns[f.name].cast(f.type) for f in READING_SCHEMA], schema=READING_SCHEMA
    )
    return batch if keep is None else batch.filter(keep)


READING_SCHEMA = pa.schema(
    [
        *(f.with_nullable(True) for f in FLOW_SCHEMA),
        pa.field("line", pa.int64()),
        pa.field("product_raw", pa.string()),
    ]
)
