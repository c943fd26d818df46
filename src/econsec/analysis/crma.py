"""The Critical Raw Materials Act benchmark as the Act states it: no third country should supply
more than 65 % of the Union's consumption of a strategic raw material at any relevant stage of
processing (Regulation (EU) 2024/1252, Art. 5(1)(d)).

For each material and stage of ``crma_materials.yaml`` (data: extend it with a file of the same
shape): apparent consumption ``C = P + M − X`` in kilograms — the bloc's production ``P`` (a
USGS Mineral Commodity Summaries series), its imports ``M`` from outside the bloc and its
exports ``X`` to outside it, over the stage's HS6 lines — and each third country's share of
``C``: its part of ``M`` over ``C``. Flagged when the largest share exceeds 0.65.

Whatever the data cannot give is said, never filled in: lines shared with other materials
(gallium and germanium are both in 811292), no production series for the stage, a bloc
production hidden among USGS's "Other countries", production and trade weighed on different
bases (metal content against gross weight), trade without quantities. The HS-line screen
``crma65`` (:mod:`econsec.analysis.presets`) is the proxy on imports alone.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from econsec.analysis.concentration import SqlEngine, in_set, register_sets
from econsec.errors import ConfigError, InputError, NotFoundError
from econsec.i18n import N_, Message
from econsec.reference.countries import to_alpha3

__all__ = [
    "THRESHOLD",
    "Benchmark",
    "Stage",
    "bloc_production",
    "crma_benchmark",
    "load_stages",
    "read_usgs",
]

THRESHOLD = 0.65

#: USGS series: (commodity, statistic detail, year) -> country name -> kg (None: withheld or
#: not available); the row "Other countries" included as it is.
Usgs = Mapping[tuple[str, str, int], Mapping[str, float | None]]


@dataclass(frozen=True, slots=True)
class Stage:
    """A strategic raw material at one stage of processing."""

    material: str
    name_en: str
    name_ja: str
    stage: str
    hs6: tuple[str, ...]
    basis: str  # what the trade quantities weigh
    shared_with: tuple[str, ...] = ()
    production: tuple[str, str] | None = None  # USGS commodity and statistic detail
    production_kg: float = 1.0  # kilograms per unit of the USGS series
    production_basis: str = ""


@dataclass(frozen=True, slots=True)
class Benchmark:
    """The benchmark for one material and stage; ``status`` says why when it is not computed."""

    material: str
    name_en: str
    name_ja: str
    stage: str
    hs6: tuple[str, ...]
    status: str  # "computed" or "insufficient data: …"
    production_kg: float | None = None
    imports_kg: float | None = None
    exports_kg: float | None = None
    consumption_kg: float | None = None
    top_supplier: str | None = None
    top_share: float | None = None
    flagged: bool | None = None
    #: why it is not computed, as a catalogue message (worded in the reader's language)
    reason: Message | None = field(default=None, compare=False, repr=False)


def load_stages(path: Path | None = None) -> tuple[Stage, ...]:
    """The materials and stages: the packaged table, or the YAML file ``path``.

    Parameters
    ----------
    path : Path, optional
        A YAML list of the packaged table's shape (default: the packaged table).

    Returns
    -------
    tuple of Stage

    Raises
    ------
    ConfigError
        Naming the file and entry at fault.

    Examples
    --------
    >>> stages = load_stages()
    >>> len(stages), len({s.material for s in stages})
    (24, 17)
    """
    where = str(path) if path else "econsec/analysis/crma_materials.yaml"
    try:
        text = (
            path.read_text("utf-8")
            if path
            else files("econsec.analysis").joinpath("crma_materials.yaml").read_text("utf-8")
        )
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{where}: cannot read the materials: {exc}") from None
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected a list of material stages")
    return tuple(_stage(r, f"{where}, entry {n}") for n, r in enumerate(raw, 1))


def _stage(r: Any, where: str) -> Stage:
    if not isinstance(r, dict) or not {"material", "stage", "hs6", "basis"} <= set(r):
        raise ConfigError(f"{where}: needs material, stage, hs6 and basis")
    name = r.get("name") or {}
    p = r.get("production")
    return Stage(
        material=str(r["material"]),
        name_en=str(name.get("en", r["material"])),
        name_ja=str(name.get("ja", name.get("en", r["material"]))),
        stage=str(r["stage"]),
        hs6=tuple(str(c) for c in r["hs6"]),
        basis=str(r["basis"]),
        shared_with=tuple(str(s) for s in r.get("shared_with", ())),
        production=(str(p["commodity"]), str(p["detail"])) if p else None,
        production_kg=float(p["kg"]) if p else 1.0,
        production_basis=str(p["basis"]) if p else "",
    )


def read_usgs(path: Path) -> Usgs:
    """A USGS Mineral Commodity Summaries data-release table (columns ``commodity, country,
    statistic_detail, year, value_raw``): "—" is zero, "W" (withheld) and "NA" unknown.

    Parameters
    ----------
    path : Path
        The CSV file.

    Returns
    -------
    mapping
        (commodity, statistic detail, year) → country name → value in the series' unit.

    Raises
    ------
    InputError
        Naming the file, line and column at fault.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mcs.csv"
    >>> _ = f.write_text("commodity,country,statistic_detail,year,value_raw\\n"
    ...                  "Gallium,China,Primary production,2024,839000\\n"
    ...                  "Gallium,Other countries,Primary production,2024,—\\n"
    ...                  "Lithium,United States,Mine production,2024,W\\n")
    >>> usgs = read_usgs(f)
    >>> usgs[("Gallium", "Primary production", 2024)]
    {'China': 839000.0, 'Other countries': 0.0}
    >>> usgs[("Lithium", "Mine production", 2024)]
    {'United States': None}
    """
    out: dict[tuple[str, str, int], dict[str, float | None]] = defaultdict(dict)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            need = {"commodity", "country", "statistic_detail", "year", "value_raw"}
            if missing := need - set(reader.fieldnames or ()):
                raise InputError("missing columns {v1}", values={"v1": sorted(missing)}, file=str(path),
                                 expected=", ".join(sorted(need)))  # fmt: skip
            for line, r in enumerate(reader, 2):
                text = r["value_raw"].strip().replace(",", "")
                try:
                    value = 0.0 if text in ("—", "-", "--") else float(text)
                except ValueError:
                    value = None  # W, NA, >85000000: not a number we can use
                try:
                    year = int(r["year"])
                except ValueError:
                    raise InputError("bad year {v1!r}", values={"v1": r['year']}, file=str(path), line=line,
                                     column="year", expected=N_("a year such as 2024")) from None  # fmt: skip
                key = (r["commodity"], r["statistic_detail"], year)
                out[key][r["country"]] = value
    except OSError as exc:
        raise InputError("cannot read: {exc}", values={"exc": exc}, file=str(path)) from None
    return out


def bloc_production(series: Mapping[str, float | None], members: frozenset[str]) -> float | None:
    """The bloc's production in a USGS series, or None when the series cannot tell it: a member
    withheld, or members possibly among a non-zero "Other countries".

    Parameters
    ----------
    series : mapping of str to float or None
        Country name → value, as :func:`read_usgs` gives them.
    members : frozenset of str
        The bloc's ISO alpha-3 codes.

    Returns
    -------
    float or None

    Examples
    --------
    >>> eu = frozenset({"PRT", "FIN"})
    >>> bloc_production({"Portugal": 380.0, "Chile": 9.0, "Other countries": 0.0}, eu)
    380.0
    >>> bloc_production({"Chile": 9.0, "Other countries": 7.0}, eu) is None
    True
    """
    total = 0.0
    for name, value in series.items():
        if name in ("Other countries", "World total") or name.startswith("World total"):
            continue
        try:
            code = to_alpha3(name)
        except NotFoundError:
            continue
        if code in members:
            if value is None:
                return None
            total += value
    return total if series.get("Other countries") == 0.0 else None


def crma_benchmark(
    engine: SqlEngine,
    members: frozenset[str],
    year: int,
    usgs: Usgs | None = None,
    stages: tuple[Stage, ...] | None = None,
) -> list[Benchmark]:
    """The benchmark for every material and stage on the engine's ``flows`` of ``year`` (with
    ``quantity_kg``) for the bloc ``members`` (see the module docstring).

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation ``flows``.
    members : frozenset of str
        The bloc (ISO alpha-3).
    year : int
        The year.
    usgs : mapping, optional
        Production series from :func:`read_usgs` (none: no stage has production).
    stages : tuple of Stage, optional
        The materials and stages (default: :func:`load_stages`).

    Returns
    -------
    list of Benchmark
        One per stage, computed or saying why not.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "USA", "DEU"],
    ...     "importer": ["DEU", "FRA", "USA"], "product": ["810820"] * 3,
    ...     "value_usd": [1.0] * 3, "quantity_kg": [800.0, 100.0, 50.0]}))
    >>> titanium = Stage("titanium", "Titanium metal", "チタン金属", "processing", ("810820",),
    ...                  "gross weight", production=("Titanium", "Sponge"),
    ...                  production_basis="gross weight")
    >>> usgs = {("Titanium", "Sponge", 2024): {"Germany": 150.0, "Other countries": 0.0}}
    >>> (b,) = crma_benchmark(engine, frozenset({"DEU", "FRA"}), 2024, usgs, (titanium,))
    >>> b.consumption_kg, b.top_supplier, round(b.top_share, 3), b.flagged
    (1000.0, 'CHN', 0.8, True)
    """
    out = []
    for s in stages if stages is not None else load_stages():
        out.append(_one(engine, members, year, usgs or {}, s))
    return out


def _one(engine: SqlEngine, members: frozenset[str], year: int, usgs: Usgs, s: Stage) -> Benchmark:
    def insufficient(why: str, values: dict[str, object] | None = None, **known: Any) -> Benchmark:
        reason = Message(why, values or {})
        return Benchmark(s.material, s.name_en, s.name_ja, s.stage, s.hs6,
                         f"insufficient data: {reason}", reason=reason, **known)  # fmt: skip

    if s.shared_with:
        return insufficient(N_("{codes} also hold {others}; trade data cannot separate them"),
                            {"codes": ", ".join(s.hs6), "others": ", ".join(s.shared_with)})  # fmt: skip
    if s.production is None:
        return insufficient(N_("no production series for this stage"))
    series = usgs.get((*s.production, year))
    if series is None:
        return insufficient(N_("no USGS series '{series}' for {year}"),
                            {"series": f"{s.production[0]}, {s.production[1]}", "year": year})  # fmt: skip
    produced = bloc_production(series, members)
    if produced is None:
        return insufficient(N_("the bloc's production is not shown (withheld, or possibly among "
                               "USGS's 'Other countries')"))  # fmt: skip
    produced *= s.production_kg
    if s.production_basis != s.basis:
        return insufficient(N_("production is {production}, trade is {trade}: no conversion "
                               "between them"), {"production": s.production_basis,
                                                 "trade": s.basis}, production_kg=produced)  # fmt: skip
    register_sets(engine, {"products": frozenset(s.hs6)})
    rows = engine.sql(
        "SELECT exporter, importer, sum(quantity_kg) AS kg, "
        "count(*) - count(quantity_kg) AS unweighed FROM flows "
        f"WHERE year = $year AND {in_set('product', 'products')} GROUP BY exporter, importer",
        {"year": year},
    ).to_pylist()
    crossing = [r for r in rows if (r["exporter"] in members) != (r["importer"] in members)]
    if any(r["unweighed"] for r in crossing):
        return insufficient(N_("some trade flows have no quantity"), production_kg=produced)
    imports: dict[str, float] = defaultdict(float)
    exported = 0.0
    for r in crossing:
        if r["importer"] in members:
            imports[r["exporter"]] += float(r["kg"] or 0.0)
        else:
            exported += float(r["kg"] or 0.0)
    bought = sum(imports.values())
    consumption = produced + bought - exported
    known: dict[str, float] = {"production_kg": produced, "imports_kg": bought,
                               "exports_kg": exported}  # fmt: skip
    if consumption <= 0:
        return insufficient(N_("apparent consumption is not positive"), None, **known)
    top = max(sorted(imports), key=lambda c: imports[c]) if imports else None
    share = imports[top] / consumption if top else 0.0
    return Benchmark(s.material, s.name_en, s.name_ja, s.stage, s.hs6, "computed",
                     consumption_kg=consumption, top_supplier=top, top_share=share,
                     flagged=share > THRESHOLD, production_kg=produced, imports_kg=bought,
                     exports_kg=exported)  # fmt: skip
