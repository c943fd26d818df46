"""Analyses over trade flows: concentration metrics and dependency screens."""

from econsec.analysis.concentration import Importer, concentration, concentration_sql
from econsec.analysis.presets import PRESETS, Criterion, Preset, preset
from econsec.analysis.screen import Screen, criteria_of, run_screen, screen_sql

__all__ = [
    "PRESETS",
    "Criterion",
    "Importer",
    "Preset",
    "Screen",
    "concentration",
    "concentration_sql",
    "criteria_of",
    "preset",
    "run_screen",
    "screen_sql",
]
