"""Sector-level input-output models: MRIO tables, Leontief, Ghosh, extraction, bottlenecks."""

from econsec.sectors.leontief import (
    Extraction,
    bottleneck,
    calc_A,
    calc_B,
    extract,
    ghosh_output,
    leontief_inverse,
    leontief_output,
)
from econsec.sectors.mrio import MRIO, from_pymrio, read_mrio, read_wiod

__all__ = [
    "MRIO",
    "Extraction",
    "bottleneck",
    "calc_A",
    "calc_B",
    "extract",
    "from_pymrio",
    "ghosh_output",
    "leontief_inverse",
    "leontief_output",
    "read_mrio",
    "read_wiod",
]
