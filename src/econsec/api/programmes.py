"""The Act's programmes for government analysts: stockpile coordination among like-minded
countries and the targeting of support (the commands' inputs and JSON answers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.app import programmes as app
from econsec.scenarios.stockpile import MAX_COUNTRIES, MAX_HORIZON
from econsec.scenarios.support import MAX_MEASURES

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"], responses=RESPONSES)


class StockpileCase(BaseModel):
    """A stockpile case, as the YAML of ``econsec stockpile coordinate`` (docs/programmes.md)."""

    product: Annotated[str, Field(pattern=r"^\d{5,6}$")]
    horizon_days: Annotated[int, Field(ge=1, le=MAX_HORIZON)]
    disruption: dict[str, Any]
    burden_sharing: Literal["consumption", "gdp"]
    countries: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_COUNTRIES)]
    lending_cost: Annotated[float | None, Field(ge=0, allow_inf_nan=False)] = None


class SupportRequest(BaseModel):
    """Candidate measures and a budget, as ``econsec support plan`` takes them."""

    budget: Annotated[float, Field(ge=0, le=1e16, allow_inf_nan=False)]
    measures: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_MEASURES)]
    products: dict[str, dict[str, Any]] | None = None


@router.post("/stockpile")
async def coordinate(case: StockpileCase, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Who builds which stock before the supplier's cut and who lends what to whom during it,
    at least total cost; each country's share by the burden-sharing rule against acting alone
    (``countries``, ``lending``, ``total_cost``, ``total_cost_alone``)."""
    return await run_in_threadpool(app.coordinate_stockpiles, p, caller,
                                   case.model_dump(exclude_none=True))  # fmt: skip


@router.post("/support")
async def support(request: SupportRequest, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """The measures the budget should fund (``chosen``, ``cost``, ``risk_reduction``, ``curve``,
    each measure's marginal value per unit)."""
    body = request.model_dump(exclude_none=True)
    return await run_in_threadpool(app.plan_support, p, caller, body, body.pop("budget"))
