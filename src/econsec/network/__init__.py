"""Firm-level supply networks: the model, loaders, exposure and shock cascades."""

from econsec.network.cascade import (
    Impact,
    Propagator,
    Shock,
    country_export_ban,
    esri,
    firm_failure,
    propagate,
)
from econsec.network.loaders import network_from_tables, read_network, read_willems
from econsec.network.model import Network, with_sector_essentiality

__all__ = [
    "Impact",
    "Network",
    "Propagator",
    "Shock",
    "country_export_ban",
    "esri",
    "firm_failure",
    "network_from_tables",
    "propagate",
    "read_network",
    "read_willems",
    "with_sector_essentiality",
]
