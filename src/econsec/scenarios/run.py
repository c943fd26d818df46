"""Running a scenario: its layers, switched on by what is available, as one result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from econsec.analysis.concentration import SqlEngine as Engine
from econsec.errors import InputError
from econsec.i18n import N_
from econsec.network import Network
from econsec.scenarios.dynamic import DynamicImpact, dynamic_impact, firm_dynamic_impact
from econsec.scenarios.firms import FirmImpact, firm_impact
from econsec.scenarios.model import Scenario
from econsec.scenarios.sectors import HsSectors, SectorImpact, sector_impact
from econsec.scenarios.trade import Flows, TradeImpact, load_flows, trade_impact
from econsec.sectors.dynamic import DynamicParams
from econsec.sectors.mrio import MRIO

__all__ = ["METHOD", "DynamicRequest", "ScenarioResult", "run_batch", "run_scenario"]

METHOD = (
    "econsec scenario 1 (trade layer with capacity-bounded substitution and stockpiles; "
    "firm cascade; partial hypothetical extraction)"
)


@dataclass(frozen=True)
class DynamicRequest:
    """What to ask of a dynamic model (``sector`` or ``firm``): days, parameters, an optional
    loss limit for the stockpile sensitivity."""

    model: str = "sector"
    days: int = 365
    params: DynamicParams | None = None
    loss_limit: float | None = None
    draws: int = 0  # Monte Carlo draws of the uncertain parameters
    spark: Any = None  # a SparkSession to fan the draws out over


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    trade: TradeImpact
    firms: FirmImpact | None
    data_source: str
    sectors: SectorImpact | None = None
    dynamic: DynamicImpact | None = None

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
            "trade_timeline": [
                {"month": m, "unmet_usd": round(v, 2)} for m, v in self.trade.timeline
            ],
            "notes": list(self.trade.notes),
            "assumptions": {
                name: self.scenario.assumption(name)
                for name in ("redirect_share", "stockpile_days", "absorb_share")
            },
            "substitution": [sh.as_dict() for sh in self.trade.shares],
        }
        # without a dynamic model, ``timeline`` keeps the trade layer's months (as before)
        out["timeline"] = out["trade_timeline"]
        if self.dynamic is not None:
            out["dynamic"] = self.dynamic.as_dict()
            out["timeline"] = out["dynamic"].pop("timeline")
        if self.sectors is not None:
            out["sectors"] = {
                "table": self.sectors.source,
                "unit": self.sectors.unit,
                "total_output_loss": round(self.sectors.total_output_loss, 6),
                "by_country_sector": [
                    {"country": c, "sector": s, "output_loss": round(v, 6)}
                    for c, s, v in self.sectors.by_country_sector
                ],
                "unmapped_products": list(self.sectors.unmapped),
            }
        if self.firms is not None:
            out["firms"] = {
                "output_loss_share": round(self.firms.loss_share, 6),
                "output_loss": round(self.firms.output_loss, 2),
                "most_affected": [
                    {"firm_id": f, "country": c, "sector": s, "loss_share": round(v, 4)}
                    for f, c, s, v in self.firms.most_affected
                ],
                "by_sector": [
                    {"sector": s, "output_loss": round(v, 2), "loss_share": round(r, 4)}
                    for s, v, r in self.firms.by_sector
                ],
            }
        return out


def run_scenario(
    engine: Engine | None,
    scenario: Scenario,
    network: Network | None = None,
    data_source: str = "",
    flows: Flows | None = None,
    mrio: MRIO | None = None,
    concordance: HsSectors | None = None,
    dynamic: DynamicRequest | None = None,
) -> ScenarioResult:
    """Run a scenario's layers, switched on by what is given.

    Parameters
    ----------
    engine : SqlEngine or None
        An engine with the relation ``flows`` (or None with ``flows``).
    scenario : Scenario
        The scenario.
    network : Network, optional
        A firm network: the firm layer.
    data_source : str
        What the figures name as their data.
    flows : dict, optional
        Flows already loaded (:func:`~econsec.scenarios.trade.load_flows`).
    mrio : MRIO, optional
        With ``concordance``, an input-output table: the sector layer.
    concordance : HsSectors, optional
        HS6 → the table's sectors (:func:`econsec.scenarios.sectors.hs_sectors`).
    dynamic : DynamicRequest, optional
        Run a dynamic model too: ``sector`` on the table (needs ``mrio`` and ``concordance``),
        ``firm`` on the network.

    Returns
    -------
    ScenarioResult
        Its ``as_dict()`` is the JSON of ``econsec scenario run``.

    Raises
    ------
    InputError
        When a dynamic model is asked for without its table or network.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 4, "exporter": ["CHN", "KOR", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA", "USA"], "product": ["811292"] * 4,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0]}))
    >>> from econsec.scenarios import parse_scenario
    >>> ban = parse_scenario({"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> result = run_scenario(engine, ban, data_source="example").as_dict()
    >>> result["trade_at_risk_usd"], result["shortfall_usd"], "firms" in result
    (80.0, 70.0, False)
    """
    trade = trade_impact(engine, scenario, flows)
    firms = firm_impact(network, scenario) if network is not None else None
    sectors = (
        sector_impact(mrio, scenario, trade, concordance)
        if mrio is not None and concordance is not None
        else None
    )
    moving = None
    if dynamic is not None and dynamic.model == "firm":
        if network is None:
            raise InputError("the dynamic firm model needs a firm network", values={},
                             expected=N_("--network-firms and --network-links"))  # fmt: skip
        moving = firm_dynamic_impact(network, scenario, dynamic.days, dynamic.params,
                                     dynamic.loss_limit, dynamic.draws, dynamic.spark)  # fmt: skip
    elif dynamic is not None:
        if mrio is None or concordance is None:
            raise InputError(
                "the dynamic sector model needs an input-output table and a concordance",
                values={}, expected=N_("--mrio-dir and --concordance"),
            )  # fmt: skip
        moving = dynamic_impact(mrio, scenario, trade, concordance, dynamic.days, dynamic.params,
                                dynamic.loss_limit, draws=dynamic.draws,
                                spark=dynamic.spark)  # fmt: skip
    return ScenarioResult(scenario, trade, firms, data_source, sectors, moving)


def run_batch(engine: Engine, scenarios: list[Scenario]) -> list[ScenarioResult]:
    """Many scenarios: the flows of each base year are queried once for all of them.

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation ``flows``.
    scenarios : list of Scenario
        The scenarios (trade layer only).

    Returns
    -------
    list of ScenarioResult

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 4, "exporter": ["CHN", "KOR", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA", "USA"], "product": ["811292"] * 4,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0]}))
    >>> from econsec.scenarios import parse_scenario
    >>> ban = parse_scenario({"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> [r.trade.by_product[0].shortfall_usd for r in run_batch(engine, [ban, ban])]
    [70.0, 70.0]
    """
    products: dict[int, set[str]] = {}
    for s in scenarios:
        products.setdefault(s.base_year, set()).update(*(m.products for m in s.measures))
    flows = {y: load_flows(engine, y, frozenset(p)) for y, p in products.items() if p}
    return [run_scenario(None, s, flows=flows.get(s.base_year, {})) for s in scenarios]
