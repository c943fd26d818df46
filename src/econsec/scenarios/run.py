"""Running a scenario: its layers, switched on by what is available, as one result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from econsec.network import Network
from econsec.scenarios.firms import FirmImpact, firm_impact
from econsec.scenarios.model import Scenario
from econsec.scenarios.trade import Engine, TradeImpact, trade_impact

__all__ = ["METHOD", "ScenarioResult", "run_scenario"]

METHOD = "econsec scenario 1 (trade layer with capacity-bounded substitution and stockpiles)"


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    trade: TradeImpact
    firms: FirmImpact | None
    data_source: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``econsec scenario run --format json``."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "base_year": self.scenario.base_year,
            "method": METHOD,
            "data_source": self.data_source,
            "trade_at_risk_usd": round(self.trade.trade_at_risk_usd, 2),
            "substitutable_usd": round(sum(p.substitutable_usd for p in self.trade.by_product), 2),
            "shortfall_usd": round(sum(p.shortfall_usd for p in self.trade.by_product), 2),
            "by_product": [p.as_dict() for p in self.trade.by_product],
            "import_bans": [b.as_dict() for b in self.trade.bans],
            "timeline": [{"month": m, "unmet_usd": round(v, 2)} for m, v in self.trade.timeline],
            "assumptions": {
                name: self.scenario.assumption(name)
                for name in ("redirect_share", "stockpile_days", "absorb_share")
            },
        }
        if self.firms is not None:
            out["firms"] = {
                "output_loss_share": round(self.firms.loss_share, 6),
                "output_loss": round(self.firms.output_loss, 2),
                "most_affected": [
                    {"firm_id": f, "country": c, "sector": s, "loss_share": round(v, 4)}
                    for f, c, s, v in self.firms.most_affected
                ],
            }
        return out


def run_scenario(
    engine: Engine, scenario: Scenario, network: Network | None = None, data_source: str = ""
) -> ScenarioResult:
    """The trade layer on the engine's flows and, with a network, the firm layer."""
    trade = trade_impact(engine, scenario)
    firms = firm_impact(network, scenario) if network is not None else None
    return ScenarioResult(scenario, trade, firms, data_source)
