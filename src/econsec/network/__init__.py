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
from econsec.network.exposure import (
    CountryExposure,
    SharedSupplier,
    SupplyPath,
    articulation_points,
    dominators,
    exposure,
    hidden_dependence,
    input_shares,
    shared_suppliers,
)
from econsec.network.loaders import network_from_tables, read_network, read_willems
from econsec.network.model import Network, example_network, with_sector_essentiality

__all__ = [
    "CountryExposure",
    "Impact",
    "Network",
    "Propagator",
    "SharedSupplier",
    "Shock",
    "SupplyPath",
    "articulation_points",
    "country_export_ban",
    "dominators",
    "esri",
    "example_network",
    "exposure",
    "firm_failure",
    "hidden_dependence",
    "input_shares",
    "network_from_tables",
    "propagate",
    "read_network",
    "read_willems",
    "shared_suppliers",
    "with_sector_essentiality",
]
