"""The analytic store: a folder of Parquet files read through DuckDB.

Layout::

    WORKSPACE/
      manifest.json                              # the imports and the files each one owns
      flows/source=baci/year=2022/<import>.parquet
      .staging/                                  # work in progress, never read
      .lock                                      # one writer at a time

The manifest is the commit point: readers see only the files it lists, and it is replaced
atomically (write, fsync, rename) as the last step of an import. A failed import therefore
leaves the workspace exactly as it was; files it staged are removed.

Rows within a year file are sorted by importer, product and exporter so that screens read
narrow ranges of row groups.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_
from econsec.trade.flows import FLOW_KEY, FLOW_SCHEMA, READING_SCHEMA, Reading

__all__ = [
    "Import",
    "ImportResult",
    "Manifest",
    "Workspace",
    "choose_source",
    "file_sha256",
    "import_flows",
    "imports",
]

log = logging.getLogger("econsec.storage")
MANIFEST = "manifest.json"
IMPORT_MEMORY = "1GB"  # DuckDB's memory cap during an import; beyond it, work spills to disk
_VALUE_COLUMNS = ("value_usd", "quantity_kg")


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace folder (created on first use)."""

    root: Path

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)


@dataclass(frozen=True, slots=True)
class Import:
    """One imported file as recorded in the manifest."""

    id: str
    source: str
    file: str
    sha256: str
    imported_at: str
    rows: int
    years: tuple[int, ...]
    files: tuple[str, ...]
    dropped: dict[str, int]
    sides: tuple[str, ...]
    monthly: bool


@dataclass(frozen=True, slots=True)
class Manifest:
    """The workspace's manifest: its format and the imports, oldest first."""

    format: int = 1
    imports: tuple[Import, ...] = ()


def _import(raw: dict[str, Any]) -> Import:
    """An import from its JSON object (older manifests lack ``dropped``, ``sides``, ``monthly``)."""
    return Import(
        id=raw["id"],
        source=raw["source"],
        file=raw["file"],
        sha256=raw["sha256"],
        imported_at=raw["imported_at"],
        rows=raw["rows"],
        years=tuple(raw["years"]),
        files=tuple(raw["files"]),
        dropped=dict(raw.get("dropped", {})),
        sides=tuple(raw.get("sides", ())),
        monthly=bool(raw.get("monthly", True)),
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    source: str
    file: str
    unchanged: bool
    rows_read: int = 0
    rows_stored: int = 0
    duplicates_removed: int = 0
    conflicting_removed: int = 0  # rows left out by ``dedupe`` (another value kept)
    already_present: int = 0
    dropped: dict[str, int] | None = None
    years: tuple[int, ...] = ()
    replaced: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(ws: Workspace) -> Manifest:
    path = ws.path(MANIFEST)
    if not path.exists():
        return Manifest()
    try:
        data = json.loads(path.read_text("utf-8"))  # JSON: checked below
        return Manifest(int(data["format"]), tuple(_import(i) for i in data["imports"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            "the workspace manifest is damaged ({exc})", values={"exc": exc}, file=str(path)
        ) from None


def _write_manifest(ws: Workspace, manifest: Manifest) -> None:
    path = ws.path(MANIFEST)
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(dataclasses.asdict(manifest), handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows
        fd = os.open(ws.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def imports(ws: Workspace) -> tuple[Import, ...]:
    """The imports recorded in the workspace, oldest first."""
    return _read_manifest(ws).imports


@contextlib.contextmanager
def _locked(ws: Workspace) -> Iterator[None]:
    ws.root.mkdir(parents=True, exist_ok=True)
    with ws.path(".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage(reading: Reading, target: Path, progress: Callable[[int], None] | None) -> int:
    rows = 0
    with pq.ParquetWriter(target, READING_SCHEMA) as writer:
        for batch in reading.batches:
            writer.write_batch(batch)
            rows += batch.num_rows
            if progress is not None:
                progress(rows)
    return rows


def _key_sql(prefix: str = "") -> str:
    return ", ".join(f"{prefix}{k}" for k in FLOW_KEY)


def _check_conflicts(con: duckdb.DuckDBPyConnection, reading: Reading, position: str) -> None:
    row = con.execute(
        f"""
        SELECT {_key_sql()}, product_raw, min(line), max(line)
        FROM staged GROUP BY ALL
        HAVING count(DISTINCT (value_usd, coalesce(quantity_kg, -1))) > 1
        ORDER BY min(line) LIMIT 1
        """
    ).fetchone()
    if row is not None:
        first, second = row[-2], row[-1]
        key = ", ".join(f"{k}={v}" for k, v in zip(FLOW_KEY, row, strict=False) if v is not None)
        raise InputError(
            "{position}s {first} and {second} give different values for the same flow ({key})",
            values={"position": position, "first": first, "second": second, "key": key},
            file=str(reading.path),
            expected=N_(
                "one value per flow; remove one of the rows, or import with --dedupe to "
                "keep the largest"
            ),
        )


def _existing_files(manifest: Manifest, source: str, years: set[int]) -> dict[str, list[str]]:
    """Files of earlier imports of ``source`` for ``years``, by import id."""
    found: dict[str, list[str]] = {}
    for entry in manifest.imports:
        if entry.source != source:
            continue
        hits = [f for f in entry.files if _year_of(f) in years]
        if hits:
            found[entry.id] = hits
    return found


def _year_of(relative: str) -> int:
    return int(Path(relative).parent.name.removeprefix("year="))


def import_flows(
    ws: Workspace,
    reading: Reading,
    *,
    replace: bool = False,
    dedupe: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the flows of ``reading`` into the workspace, atomically.

    Importing a file whose bytes were imported before for the same source changes nothing.
    Exact duplicate rows are removed; two values for one flow are an error naming both lines,
    unless ``dedupe`` is true, which keeps one row per flow: the one with the largest value
    (a total is never smaller than its breakdowns, and a revision that adds late declarations
    is larger than the first release), then the largest quantity, then the first line.
    Flows already in the workspace with the same values are skipped; with different values the
    import fails unless ``replace`` is true, which supersedes the source's earlier data for the
    years the new file covers.
    """
    sha = file_sha256(reading.path)
    with _locked(ws):
        manifest = _read_manifest(ws)
        for entry in manifest.imports:
            if entry.source == reading.source and entry.sha256 == sha:
                return ImportResult(
                    reading.source, str(reading.path), unchanged=True, years=entry.years
                )
        staging = ws.path(".staging", uuid.uuid4().hex)
        staging.mkdir(parents=True)
        moved: list[Path] = []
        try:
            result, entry, superseded = _prepare(
                ws, manifest, reading, staging, replace, dedupe, progress, sha
            )
            for relative in entry.files:
                target = ws.path(relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / f"{_year_of(relative)}.parquet", target)
                moved.append(target)
            kept = []
            for other in manifest.imports:
                drop = set(superseded.get(other.id, []))
                files = tuple(f for f in other.files if f not in drop)
                if files:
                    years = tuple(sorted({_year_of(f) for f in files}))
                    kept.append(dataclasses.replace(other, files=files, years=years))
            _write_manifest(ws, dataclasses.replace(manifest, imports=(*kept, entry)))
        except BaseException:
            for path in moved:
                path.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            with contextlib.suppress(OSError):
                staging.parent.rmdir()  # only when no other import is staging
        for gone in superseded.values():
            for relative in gone:
                ws.path(relative).unlink(missing_ok=True)
        log.info("imported %s rows of %s (source %s) into %s", result.rows_stored,
                 reading.path, reading.source, ws.root)  # fmt: skip
        return result


def _prepare(
    ws: Workspace,
    manifest: Manifest,
    reading: Reading,
    staging: Path,
    replace: bool,
    dedupe: bool,
    progress: Callable[[int], None] | None,
    sha: str,
) -> tuple[ImportResult, Import, dict[str, list[str]]]:
    raw = staging / "raw.parquet"
    rows_read = _stage(reading, raw, progress)
    position = "line" if reading.path.suffix.lower() != ".parquet" else "row"
    if rows_read == 0:
        raise InputError(
            "the file has no data rows to import",
            file=str(reading.path),
            expected=N_("at least one row of flows after the header"),
        )
    # A database file in the staging folder, with a memory cap: large imports spill to disk
    # instead of holding every row in memory.
    con = duckdb.connect(
        str(staging / "work.duckdb"),
        config={"memory_limit": IMPORT_MEMORY, "temp_directory": str(staging / "spill")},
    )
    try:
        columns = ", ".join(f.name for f in FLOW_SCHEMA)
        conflicting = 0
        if dedupe:
            con.read_parquet(str(raw)).create_view("read")  # the path is bound, never SQL text
            con.execute(
                f"""CREATE VIEW staged AS SELECT * FROM read QUALIFY row_number() OVER (
                    PARTITION BY {_key_sql()}, product_raw
                    ORDER BY value_usd DESC, quantity_kg DESC NULLS LAST, line) = 1"""
            )
            counted = con.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT {columns}, product_raw FROM read)"
            ).fetchone()
            kept = con.execute("SELECT count(*) FROM staged").fetchone()
            conflicting = int(counted[0] if counted else 0) - int(kept[0] if kept else 0)
        else:
            con.read_parquet(str(raw)).create_view("staged")
            _check_conflicts(con, reading, position)
        con.execute(
            f"CREATE TABLE distinct_rows AS SELECT DISTINCT {columns}, product_raw FROM staged"
        )
        con.execute(
            f"""
            CREATE TABLE clean AS
            SELECT {_key_sql()}, any_value(hs_revision) AS hs_revision,
                   sum(value_usd) AS value_usd,
                   CASE WHEN count(quantity_kg) = count(*) THEN sum(quantity_kg) END AS quantity_kg
            FROM distinct_rows GROUP BY ALL
            """
        )
        distinct_count = con.execute("SELECT count(*) FROM distinct_rows").fetchone()
        con.execute("DROP TABLE distinct_rows")
        duplicates = rows_read - conflicting - int(distinct_count[0] if distinct_count else 0)
        years = {int(r[0]) for r in con.execute("SELECT DISTINCT year FROM clean").fetchall()}
        earlier = _existing_files(manifest, reading.source, years)
        already = 0
        superseded: dict[str, list[str]] = {}
        if earlier and replace:
            superseded = earlier
        elif earlier:
            already = _against_existing(con, ws, reading, earlier)
        import_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{sha[:12]}"
        files = []
        stored = 0
        for year in sorted(years):
            count = con.execute("SELECT count(*) FROM clean WHERE year = ?", [year]).fetchone()
            if not count or not count[0]:
                continue
            stored += int(count[0])
            con.execute(
                f"COPY (SELECT {columns} FROM clean WHERE year = $year "
                "ORDER BY importer, product, exporter, month) "
                "TO $target (FORMAT parquet, ROW_GROUP_SIZE 122880)",
                {"year": year, "target": str(staging / f"{year}.parquet")},
            )
            files.append(f"flows/source={reading.source}/year={year}/{import_id}.parquet")
        if stored == 0:
            raise InputError(
                "every flow in the file is already in the workspace",
                file=str(reading.path),
                expected=N_("new flows"),
            )
        sides = sorted(
            r[0] for r in con.execute("SELECT DISTINCT reported_by FROM clean").fetchall()
        )
        months = con.execute("SELECT count(month) FROM clean").fetchone()
    finally:
        con.close()
    dropped = {k: int(v) for k, v in reading.dropped.items() if v}
    entry = Import(
        id=import_id,
        source=reading.source,
        file=reading.path.name,
        sha256=sha,
        imported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        rows=stored,
        years=tuple(sorted({_year_of(f) for f in files})),
        files=tuple(files),
        dropped=dropped,
        sides=tuple(sides),
        monthly=bool(months and months[0]),
    )
    result = ImportResult(
        source=reading.source,
        file=str(reading.path),
        unchanged=False,
        rows_read=rows_read,
        rows_stored=stored,
        duplicates_removed=duplicates,
        conflicting_removed=conflicting,
        already_present=already,
        dropped=dropped,
        years=entry.years,
        replaced=tuple(sorted(superseded)),
    )
    return result, entry, superseded


def _against_existing(
    con: duckdb.DuckDBPyConnection, ws: Workspace, reading: Reading, earlier: dict[str, list[str]]
) -> int:
    paths = [str(ws.path(f)) for files in earlier.values() for f in files]
    con.read_parquet(paths).create_view("existing")
    keys = " AND ".join(f"c.{k} IS NOT DISTINCT FROM e.{k}" for k in FLOW_KEY)
    clash = con.execute(
        f"""
        SELECT {_key_sql("c.")} FROM clean c JOIN existing e ON {keys}
        WHERE c.value_usd <> e.value_usd
           OR c.quantity_kg IS DISTINCT FROM e.quantity_kg
        LIMIT 1
        """
    ).fetchone()
    if clash is not None:
        key = ", ".join(f"{k}={v}" for k, v in zip(FLOW_KEY, clash, strict=False) if v is not None)
        raise InputError(
            "the workspace already holds a different value for a flow in this file ({key})",
            values={"key": key},
            file=str(reading.path),
            expected=N_(
                "new flows only, or --replace to supersede the source's data for these years"
            ),
        )
    before = con.execute("SELECT count(*) FROM clean").fetchone()
    con.execute(f"DELETE FROM clean c USING existing e WHERE {keys}")
    after = con.execute("SELECT count(*) FROM clean").fetchone()
    return int((before or [0])[0]) - int((after or [0])[0])


def choose_source(ws: Workspace, year: int | None, requested: str | None = None) -> str:
    """The source an analysis of ``year`` reads: ``requested``, else the only source holding the
    year, else BACI (reconciled), else Comtrade; several other sources need a choice."""
    found = imports(ws)
    sources = sorted({i.source for i in found})
    if not sources:
        raise NotFoundError(
            f"the workspace {ws.root} holds no trade data; import some with "
            "`econsec data import` or run `econsec demo`"
        )
    if requested is not None:
        if requested not in sources:
            raise NotFoundError(
                f"no source {requested!r} in {ws.root} (sources: {', '.join(sources)})"
            )
        return requested
    holding = [
        s for s in sources if year is None or any(year in i.years for i in found if i.source == s)
    ]
    if not holding:
        years = sorted({y for i in found for y in i.years})
        raise NotFoundError(
            f"no source in {ws.root} holds {year} (years: {', '.join(map(str, years))})"
        )
    if len(holding) == 1:
        return holding[0]
    for preferred in ("baci", "comtrade"):
        if preferred in holding:
            return preferred
    raise NotFoundError(
        f"several sources hold {year} ({', '.join(holding)}); choose one with --source"
    )
