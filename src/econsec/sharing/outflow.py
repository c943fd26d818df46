"""Technology and talent outflow: firms' reports summarised by critical technology area and
channel, each cell checked by the disclosure guard before it may be released to firms.

A cell's contributions are each firm's summed severity, so the dominance and p % rules stop a
release that one or two firms' reports would decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from econsec.sharing.disclosure import Guard, check

__all__ = ["METHOD", "summary"]

METHOD = "econsec outflow 1 (cells: area × channel; guard on summed severity per firm)"


def summary(
    reports: Iterable[tuple[str, Mapping[str, Any]]],
    guard: Guard | None = None,
    earlier: Mapping[tuple[str, str], Sequence[frozenset[str]]] | None = None,
) -> list[dict[str, Any]]:
    """Cells (area, channel) of the reports (firm, record), largest first, each with
    ``n_reports``, ``n_firms``, ``mean_severity``, ``max_severity``, its ``contributors`` (for
    the caller to keep, never to show) and the guard's verdict (``releasable``, ``rule``),
    given the contributor sets of ``earlier`` releases of each cell."""
    cells: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for firm, r in reports:
        cells[(r["area"], r["channel"])].append((firm, int(r["severity"])))
    out = []
    for (area, channel), rows in cells.items():
        per_firm: dict[str, float] = defaultdict(float)
        for firm, severity in rows:
            per_firm[firm] += severity
        verdict = check(per_firm, (earlier or {}).get((area, channel), ()), guard or Guard())
        out.append({
            "area": area,
            "channel": channel,
            "n_reports": len(rows),
            "n_firms": len(per_firm),
            "mean_severity": round(sum(s for _, s in rows) / len(rows), 2),
            "max_severity": max(s for _, s in rows),
            "releasable": verdict.allowed,
            "rule": verdict.rule,
            "contributors": frozenset(per_firm),
        })  # fmt: skip
    return sorted(out, key=lambda c: (-c["n_firms"], -c["n_reports"], c["area"], c["channel"]))
