"""Dependency screens on a workspace: the request an analyst makes (from the CLI, a report or the
console page) turned once into the screen to run, its data source and its engine, with the same
errors everywhere (an unknown importer, preset, product list or source is refused, never
replaced by a default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from econsec.analysis.concentration import Importer
from econsec.analysis.presets import preset
from econsec.analysis.screen import Screen
from econsec.errors import InputError
from econsec.reference.catalogue import select_products
from econsec.reference.countries import Group, group_members, load_groups, to_alpha3
from econsec.storage.engines import Engine, duckdb_engine, spark_engine
from econsec.storage.workspace import Workspace, choose_source, imports

__all__ = [
    "ENGINES",
    "PreparedScreen",
    "ScreenRequest",
    "data_label",
    "describe_source",
    "importers",
    "open_engine",
    "prepare_screen",
]

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True, slots=True)
class ScreenRequest:
    """A screen as an analyst asks for it: importers (ISO codes or group names; none = every
    importer), a year, a preset with changed thresholds, products (HS6 codes separated by
    commas, or ``critical:LIST[/GROUP]``), a data source, a country-group override file and a
    query engine."""

    year: int
    importers: tuple[str, ...] = ()
    preset: str = "geodep"
    thresholds: Mapping[str, float] = field(default_factory=dict)
    products: str | None = None
    source: str | None = None
    groups_file: Path | None = None
    engine: str = "duckdb"
    spark_master: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedScreen:
    """A screen ready to run: what, on which source and engine."""

    screen: Screen
    source: str
    engine: Engine


def importers(names: tuple[str, ...], groups: Mapping[str, Group]) -> tuple[Importer, ...]:
    """Importers from ISO codes or names and group names (a group screens as one bloc)."""
    out = []
    for name in names:
        if name in groups:
            out.append(Importer(name, groups[name].members))
        else:
            code = to_alpha3(name)
            out.append(Importer(code, group_members(code, dict(groups))))
    return tuple(out)


def open_engine(kind: str, ws: Workspace, source: str, master: str | None = None) -> Engine:
    """A query engine over one source of the workspace: ``duckdb`` or ``spark``."""
    if kind == "duckdb":
        return duckdb_engine(ws, sources=(source,))
    if kind == "spark":
        return spark_engine(ws, sources=(source,), master=master)
    raise InputError(
        "unknown engine {kind!r}", values={"kind": kind}, expected=" or ".join(ENGINES)
    )


def prepare_screen(ws: Workspace, request: ScreenRequest) -> PreparedScreen:
    """The screen ``request`` describes on the workspace, with its source and engine."""
    groups = load_groups(request.groups_file)
    method = preset(request.preset, dict(request.thresholds))
    day = dt.date(request.year, 12, 31)
    screen = Screen(
        importers=importers(request.importers, groups) if request.importers else None,
        year=request.year,
        preset=method,
        products=select_products(request.products, day) if request.products else None,
        concern=groups["concern"].members,
        like_minded=groups["like_minded"].members,
    )
    source = choose_source(ws, request.year, request.source)
    return PreparedScreen(screen, source, open_engine(request.engine, ws, source,
                                                      request.spark_master))  # fmt: skip


def describe_source(ws: Workspace, source: str) -> str:
    """A source as a report names it: each imported file with its hash and import date."""
    files = [
        f"{i.file} (sha256 {i.sha256[:12]}, imported {i.imported_at[:10]})"
        for i in imports(ws)
        if i.source == source
    ]
    return f"source {source}: " + "; ".join(files)


def data_label(source: str, lang: str = "en") -> str:
    """How a figure names its data, in ``lang``: the demo source is the synthetic world, not
    real data."""
    from econsec.app.demo import DEMO_SOURCE
    from econsec.i18n import tr
    from econsec.synthetic.world import SYNTHETIC_LABEL

    if source == DEMO_SOURCE:
        return tr(SYNTHETIC_LABEL, lang)
    return tr("workspace source {source}", lang, source=repr(source))
