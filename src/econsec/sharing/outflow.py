"""Technology and talent outflow: firms' reports summarised by critical technology area and
channel, each cell checked by the disclosure guard before it may be released to firms.

A cell's contributions are each firm's summed severity, so the dominance and p % rules stop a
release that one or two firms' reports would decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from econsec.sharing.disclosure import Guard, check
from econsec.sharing.ledger import Statistic, statistic
from econsec.sharing.records import OutflowReport

__all__ = ["METHOD", "OutflowCell", "statistics", "summary"]

METHOD = "econsec outflow 1 (cells: area × channel; guard on summed severity per firm)"


@dataclass(frozen=True, slots=True)
class OutflowCell:
    """One cell (technology area × channel) of firms' outflow reports, with the guard's verdict
    on releasing it. ``contributions`` (each firm's summed severity) is for the caller to keep,
    never to show."""

    area: str
    channel: str
    n_reports: int
    n_firms: int
    mean_severity: float
    max_severity: int
    releasable: bool
    rule: str
    contributions: Mapping[str, float]

    @property
    def contributors(self) -> frozenset[str]:
        return frozenset(self.contributions)


def summary(
    reports: Iterable[tuple[str, OutflowReport]],
    guard: Guard | None = None,
    earlier: Mapping[tuple[str, str], Sequence[frozenset[str]]] | None = None,
) -> list[OutflowCell]:
    """Cells (area × channel) of firms' outflow reports, largest first, each with the guard's
    verdict on releasing it.

    Parameters
    ----------
    reports : iterable of (str, OutflowReport)
        (firm, report).
    guard : Guard, optional
        The thresholds (default: the guard's).
    earlier : mapping, optional
        The contributor sets of earlier releases of each cell, by (area, channel).

    Returns
    -------
    list of OutflowCell

    Examples
    --------
    >>> r = OutflowReport("ai", "hiring_away", 3)
    >>> (cell,) = summary([(f"firm{i}", r) for i in range(5)])
    >>> cell.n_firms, cell.mean_severity, cell.releasable
    (5, 3.0, True)
    """
    cells: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for firm, r in reports:
        cells[(r.area, r.channel)].append((firm, r.severity))
    out = []
    for (area, channel), rows in cells.items():
        per_firm: dict[str, float] = defaultdict(float)
        for firm, severity in rows:
            per_firm[firm] += severity
        verdict = check(per_firm, (earlier or {}).get((area, channel), ()), guard or Guard())
        out.append(
            OutflowCell(
                area=area,
                channel=channel,
                n_reports=len(rows),
                n_firms=len(per_firm),
                mean_severity=round(sum(s for _, s in rows) / len(rows), 2),
                max_severity=max(s for _, s in rows),
                releasable=verdict.allowed,
                rule=verdict.rule,
                contributions=dict(per_firm),
            )
        )
    return sorted(out, key=lambda c: (-c.n_firms, -c.n_reports, c.area, c.channel))


def statistics(cell: OutflowCell) -> list[Statistic]:
    """What releasing ``cell`` discloses, as the release ledger sees it: the sum of its firms'
    summed severities (its mean severity times its number of reports).

    Parameters
    ----------
    cell : OutflowCell
        A cell to release.

    Returns
    -------
    list of Statistic

    Examples
    --------
    >>> r = OutflowReport("ai", "hiring_away", 3)
    >>> (cell,) = summary([(f"firm{i}", r) for i in range(5)])
    >>> [(s.measure, len(s.terms), s.low, s.integral) for s in statistics(cell)]
    [('outflow_severity', 5, 1.0, True)]
    """
    return [statistic("outflow_severity", cell.contributions, low=1.0, integral=True)]
