"""Stockpile coordination and support targeting for government analysts — for the API and the
console alike (each run authorised and audited)."""

from __future__ import annotations

from typing import Any

from econsec.access.policy import Resource
from econsec.app.platform import Caller, Platform

__all__ = ["coordinate_stockpiles", "plan_support"]

_TOOLS = Resource("intelligence")


def coordinate_stockpiles(p: Platform, caller: Caller, case: Any) -> dict[str, Any]:
    """The coalition's stockpile plan for a case (the YAML's mapping; see
    :mod:`econsec.scenarios.stockpile`), as the command's JSON."""
    from econsec.scenarios.stockpile import coordinate, read_case

    p.authorise(caller.subject, "read_intelligence", _TOOLS, "programmes/stockpile")
    checked = read_case(case, "case")
    return coordinate(checked).as_dict(checked)


def plan_support(p: Platform, caller: Caller, candidates: Any, budget: float) -> dict[str, Any]:
    """The support portfolio within ``budget`` (see :mod:`econsec.scenarios.support`), as the
    command's JSON."""
    from econsec.scenarios.support import plan, read_measures

    p.authorise(caller.subject, "read_intelligence", _TOOLS, "programmes/support")
    measures, at_stake, weight = read_measures(candidates, "candidates")
    return plan(measures, budget, at_stake, weight).as_dict()
