"""Coercion scenarios and their simulation; mitigation plans."""

from econsec.scenarios.firms import FirmImpact, firm_impact, scenario_shock
from econsec.scenarios.model import DEFAULTS, Measure, Scenario, load_scenario, parse_scenario
from econsec.scenarios.run import METHOD, ScenarioResult, run_scenario
from econsec.scenarios.trade import BanImpact, ProductImpact, TradeImpact, trade_impact

__all__ = [
    "DEFAULTS",
    "METHOD",
    "BanImpact",
    "FirmImpact",
    "Measure",
    "ProductImpact",
    "Scenario",
    "ScenarioResult",
    "TradeImpact",
    "firm_impact",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenario_shock",
    "trade_impact",
]
