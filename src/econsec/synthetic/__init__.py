"""The synthetic demo world: generated data, labelled synthetic wherever it is shown."""

from econsec.synthetic.world import SYNTHETIC_LABEL, World, generate_world, write_world

__all__ = ["SYNTHETIC_LABEL", "World", "generate_world", "write_world"]
