"""Coercion scenarios and their simulation; mitigation plans."""

from econsec.scenarios.firms import FirmImpact, firm_impact, scenario_shock
from econsec.scenarios.model import (
    DEFAULTS,
    Measure,
    Scenario,
    load_scenario,
    parse_scenario,
    read_scenario,
)
from econsec.scenarios.run import METHOD, ScenarioResult, run_batch, run_scenario
from econsec.scenarios.trade import (
    BanImpact,
    Flows,
    ProductImpact,
    TradeImpact,
    load_flows,
    trade_impact,
)

__all__ = [
    "DEFAULTS",
    "METHOD",
    "BanImpact",
    "FirmImpact",
    "Flows",
    "Measure",
    "ProductImpact",
    "Scenario",
    "ScenarioResult",
    "TradeImpact",
    "firm_impact",
    "load_flows",
    "load_scenario",
    "parse_scenario",
    "read_scenario",
    "run_batch",
    "run_scenario",
    "scenario_shock",
    "trade_impact",
]
