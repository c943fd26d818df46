"""The synthetic demo world: generated data, labelled synthetic wherever it is shown."""

from econsec.synthetic.world import (
    MRIO_SECTORS,
    SYNTHETIC_LABEL,
    World,
    generate_mrio,
    generate_world,
    write_world,
)

__all__ = [
    "MRIO_SECTORS",
    "SYNTHETIC_LABEL",
    "World",
    "generate_mrio",
    "generate_world",
    "write_world",
]
