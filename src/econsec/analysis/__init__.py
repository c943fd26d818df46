"""Analyses over trade flows: concentration metrics and dependency screens."""

from econsec.analysis.concentration import (
    METRIC_COLUMNS,
    Importer,
    concentration,
    concentration_sql,
)
from econsec.analysis.indispensability import (
    DependentImporter,
    Indispensability,
    indispensability,
)
from econsec.analysis.presets import PRESETS, Criterion, Preset, preset
from econsec.analysis.rollup import Change, GroupSummary, compare, rollup
from econsec.analysis.screen import (
    Screen,
    criteria_of,
    prepare_screen,
    run_screen,
    screen_sql,
)

__all__ = [
    "METRIC_COLUMNS",
    "PRESETS",
    "Change",
    "Criterion",
    "DependentImporter",
    "GroupSummary",
    "Importer",
    "Indispensability",
    "Preset",
    "Screen",
    "compare",
    "concentration",
    "concentration_sql",
    "criteria_of",
    "indispensability",
    "prepare_screen",
    "preset",
    "rollup",
    "run_screen",
    "screen_sql",
]
