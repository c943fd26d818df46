"""Coercion scenarios and sourcing plans on a workspace, for the CLI, the reports and the console
alike: a scenario run on the source holding its base year, and the cost-risk frontier of the
product it leaves shortest."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from econsec.errors import Infeasible, InputError, InsufficientData
from econsec.i18n import N_
from econsec.network import Network, read_network
from econsec.reference.countries import group_members, to_alpha3
from econsec.reference.names import check_hs6
from econsec.scenarios import Scenario, ScenarioResult, run_scenario
from econsec.scenarios.mitigation import (
    describe,
    frontier,
    recommend,
    sourcing_problem,
    stockpile_days,
)
from econsec.scenarios.run import DynamicRequest
from econsec.scenarios.sectors import HsSectors
from econsec.sectors.mrio import MRIO
from econsec.storage.engines import Engine, duckdb_engine
from econsec.storage.workspace import Workspace, choose_source

__all__ = [
    "DEFAULT_EXCLUDED",
    "MITIGATION_METHOD",
    "MitigationPlan",
    "MitigationRequest",
    "ScenarioRun",
    "demo_network",
    "frontier_of_most_exposed",
    "plan_mitigation",
    "run_in_workspace",
]

MITIGATION_METHOD = (
    "econsec mitigation 1 (HiGHS; recommended: cheapest plan within 10 % of the least risk)"
)


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario's result, with the source and engine it ran on."""

    result: ScenarioResult
    source: str
    engine: Engine


def demo_network(ws: Workspace) -> Network | None:
    """The demo world's firm network, when the workspace has it."""
    firms, links = ws.path("demo", "firms.csv"), ws.path("demo", "links.csv")
    return read_network(firms, links) if firms.exists() and links.exists() else None


def run_in_workspace(
    ws: Workspace,
    scenario: Scenario,
    *,
    source: str | None = None,
    network: Network | None = None,
    mrio: MRIO | None = None,
    concordance: HsSectors | None = None,
    dynamic: DynamicRequest | None = None,
) -> ScenarioRun:
    """Run ``scenario`` on the workspace source holding its base year (or ``source``); with a
    firm network and an input-output table when given."""
    from econsec.app.screening import data_label

    chosen = choose_source(ws, scenario.base_year, source)
    engine = duckdb_engine(ws, sources=(chosen,))
    result = run_scenario(engine, scenario, network, data_label(chosen), mrio=mrio,
                          concordance=concordance, dynamic=dynamic)  # fmt: skip
    return ScenarioRun(result, chosen, engine)


def frontier_of_most_exposed(
    engine: Engine, year: int, by_product: list[dict[str, object]]
) -> tuple[list[dict[str, object]], str]:
    """The cost-risk frontier of the importer and product with the largest shortfall, or why
    there is none."""
    short = [p for p in by_product if float(str(p["shortfall_usd"])) > 0]
    if not short:
        return [], "No shortfall: no mitigation plan needed."
    top = short[0]
    what = f"{top['importer']} {top['product']}"
    try:
        problem = sourcing_problem(
            engine, str(top["importer"]), str(top["product"]), year,
            like_minded=group_members("like_minded"),
        )  # fmt: skip
        plans = [describe(p) | {"for": what} for p in frontier(problem)]
        return plans, f"Sourcing plans for {what}, the largest shortfall."
    except (Infeasible, InsufficientData) as exc:
        return [], f"No sourcing plan for {what}: {exc}"


@dataclass(frozen=True, slots=True)
class MitigationRequest:
    """A sourcing plan as asked for: importer, HS6 product, the largest share of one country,
    the base year (None: the latest), the risk measure, the stockpile's assumption, the least
    share of a chosen supplier, the most suppliers, and the country groups the plan may not use
    (None: :data:`DEFAULT_EXCLUDED` for the importer)."""

    importer: str
    product: str
    cap: float = 0.65
    year: int | None = None
    risk: str = "hhi"
    disruption_days: float = 90.0
    probability: float = 0.9
    min_share: float = 0.02
    max_suppliers: int = 8
    exclude: tuple[str, ...] | None = None


#: Country groups a plan leaves out unless told otherwise, by importer: for Japan the
#: ``concern`` group of ``reference/groups.yaml`` (an editable analyst judgement, documented
#: there). ``--exclude none`` plans with every supplier.
DEFAULT_EXCLUDED: Mapping[str, tuple[str, ...]] = {"JPN": ("concern",)}


@dataclass(frozen=True, slots=True)
class MitigationPlan:
    """The cost-risk frontier of sourcing plans, the recommended one and its stockpile."""

    importer: str
    product: str
    base_year: int
    data_source: str
    cap: float
    current: Mapping[str, float]
    frontier: tuple[Mapping[str, object], ...]
    recommended: Mapping[str, object]
    stockpile_days: float
    stockpile_assumption: str
    method: str = MITIGATION_METHOD
    hhi: float = 0.0  # the recommended plan's
    current_hhi: float = 0.0
    min_share: float = 0.02
    max_suppliers: int = 8
    excluded_groups: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # the countries those groups hold


def plan_mitigation(ws: Workspace, request: MitigationRequest) -> MitigationPlan:
    """Plan sourcing shares for a product on the workspace's trade data."""
    if request.risk not in ("hhi", "expected_shortfall"):
        raise InputError(
            "unknown risk {risk!r}",
            values={"risk": request.risk},
            expected=N_("hhi or expected_shortfall"),
        )
    if not 0 < request.cap <= 1:
        raise InputError("cap {cap}", values={"cap": request.cap}, expected=N_("a share in (0, 1]"))
    if not 0 <= request.min_share <= request.cap:
        raise InputError(
            "min share {min_share}",
            values={"min_share": request.min_share},
            expected=N_("a share in [0, cap]"),
        )
    if request.max_suppliers < 1:
        raise InputError(
            "max suppliers {max_suppliers}",
            values={"max_suppliers": request.max_suppliers},
            expected=N_("a whole number ≥ 1"),
        )
    code, hs6 = to_alpha3(request.importer), check_hs6(request.product, field="--product")
    src = choose_source(ws, request.year, None)
    engine = duckdb_engine(ws, sources=(src,))
    base = request.year or max(engine.years or {0})
    concern = group_members("concern")
    groups = DEFAULT_EXCLUDED.get(code, ()) if request.exclude is None else request.exclude
    groups = tuple(g for g in groups if g.lower() != "none")
    excluded = frozenset().union(*(group_members(g) for g in groups)) - {code}
    problem = dataclasses.replace(
        sourcing_problem(
            engine, code, hs6, base, cap=request.cap, like_minded=group_members("like_minded"),
            risk=request.risk, disruption={c: 0.2 for c in concern},
        ),
        min_share=request.min_share, max_suppliers=request.max_suppliers, excluded=excluded,
    )  # fmt: skip
    plans = frontier(problem)
    best = recommend(plans)
    largest = max(best.shares.values())
    stock = stockpile_days(request.disruption_days, request.probability, largest)
    return MitigationPlan(
        importer=code,
        product=hs6,
        base_year=base,
        data_source=src,
        cap=request.cap,
        current={s: round(v, 4) for s, v in sorted(problem.current.items(), key=lambda t: -t[1])},
        frontier=tuple(describe(p) for p in plans),
        recommended=describe(best),
        stockpile_days=round(stock, 1),
        stockpile_assumption=(
            f"the largest supplier ({largest:.0%}) stops for an exponential time with mean "
            f"{request.disruption_days:g} days; covered with probability {request.probability:g}"
        ),
        hhi=best.hhi,
        current_hhi=sum(v * v for v in problem.current.values()),
        min_share=request.min_share,
        max_suppliers=request.max_suppliers,
        excluded_groups=groups,
        excluded=tuple(sorted(excluded & set(problem.suppliers))),
    )
