"""The disclosure guard: what may be released to firms from firms' confidential data.

A released number aggregates contributions of firms. Following statistical disclosure control
(Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4), a cell is safe only when

* at least ``k`` distinct firms contribute (default 5), so no small group can be identified;
* dominance rule (n = 2, 80 %): the two largest contributions are at most 80 % of the total;
* p % rule (p = 10): the second largest contributor cannot estimate the largest within p %:
  ``total - x1 - x2 >= p/100 * x1``;
* differencing: compared with any earlier release to the same audience on the same subject, the
  contributor sets must not differ by between 1 and k - 1 firms (else subtracting one release
  from the other would isolate them).

The guard answers with the rule that failed; it never names or counts the contributors in its
messages (a small count is itself a disclosure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Guard", "Verdict", "check"]


@dataclass(frozen=True, slots=True)
class Guard:
    """Thresholds of the disclosure rules."""

    min_firms: int = 5
    dominance_n: int = 2
    dominance_share: float = 0.80
    p_percent: float = 10.0
    #: Fewer respondents than this that all answer alike are withheld (surveys).
    unanimity_min: int = 10


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    rule: str  # "ok", "min_firms", "dominance", "p_percent", "differencing"
    message: str


def check(
    contributions: Mapping[str, float],
    earlier: Iterable[frozenset[str]] = (),
    guard: Guard = Guard(),
) -> Verdict:
    """Whether a cell with these per-firm contributions may be released (the rules of the
    module docstring, in order).

    Parameters
    ----------
    contributions : mapping of str to float
        Each firm's contribution to the cell (firms with 0 do not count).
    earlier : iterable of frozenset of str
        The contributor sets of earlier releases to compare with (differencing).
    guard : Guard
        The thresholds.

    Returns
    -------
    Verdict
        ``allowed``, the ``rule`` that failed (or ``ok``) and a message that names no firm and
        no count.

    Examples
    --------
    >>> check({"a": 1.0, "b": 1.0}).rule
    'min_firms'
    >>> check({f"f{i}": 10.0 for i in range(6)}).allowed
    True
    >>> check({"a": 90.0, "b": 5.0, "c": 2.0, "d": 2.0, "e": 1.0}).rule  # a dominates
    'dominance'
    >>> five = frozenset(f"f{i}" for i in range(5))
    >>> check({f"f{i}": 10.0 for i in range(6)}, [five]).rule  # the sixth firm, isolated
    'differencing'

    References
    ----------
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4.
    """
    firms = frozenset(f for f, v in contributions.items() if v > 0)
    if len(firms) < guard.min_firms:
        return Verdict(False, "min_firms", f"fewer than {guard.min_firms} contributing firms")
    values = sorted((contributions[f] for f in firms), reverse=True)
    total = sum(values)
    top = sum(values[: guard.dominance_n])
    if total > 0 and top > guard.dominance_share * total:
        return Verdict(
            False,
            "dominance",
            f"the {guard.dominance_n} largest contributors hold more "
            f"than {guard.dominance_share:.0%} of the total",
        )
    if total - values[0] - values[1] < guard.p_percent / 100 * values[0]:
        return Verdict(
            False,
            "p_percent",
            f"the second largest contributor could estimate the "
            f"largest within {guard.p_percent:g} %",
        )
    for previous in earlier:
        differ = len(firms ^ previous)
        if 0 < differ < guard.min_firms:
            return Verdict(
                False,
                "differencing",
                "together with an earlier release this would "
                f"isolate fewer than {guard.min_firms} firms",
            )
    return Verdict(True, "ok", "passes the disclosure guard")
