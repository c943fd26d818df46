"""The release ledger and its audit: may a new statistic be shown, given every earlier one?

Every number shown outside the cleared government circle — a finding's mean input share, a
sector benchmark, a survey result, an outflow cell's mean severity — is a weighted sum of
firms' values, ``b = Σ_i w_i x_i`` (a mean is a sum once the firm count, released beside it, is
known). The ledger keeps each such :class:`Statistic` with its terms. An *unknown* is one firm's
value of one measure, keyed ``(firm, measure, value)``: a firm that withdraws and re-submits the
same number is the same unknown (so differencing across the re-submission is seen), a changed
number is a new unknown, and two statistics can only be combined where they share a number.

Before a new statistic is released, :func:`audit` takes every earlier statistic connected to it
through shared unknowns — whatever kind, product, country or entity id it was released under —
and asks, of the system ``A x = b`` with public bounds ``l <= x <= u`` (e.g. shares in [0, 1]):

1. **Differencing.** Do the unknowns of the new statistic and of an earlier one of the same
   measure differ in 1 to k - 1 firms? Their difference would be a cell of fewer than k firms.
2. **Exact disclosure** (query auditing for sums, Chin & Özsoyoglu 1982). Is some ``x_i``
   determined: is ``e_i`` in the row space of ``A`` — alone, or given the values of any one other
   firm (who knows its own, like the p % rule's second contributor)? With ``R = I - P``, ``P``
   the orthogonal projector onto the row space, ``x_i`` is determined iff ``R_ii = 0``, and
   given firm j's unknowns ``K`` iff ``R_ii - R_iK R_KK⁺ R_Ki = 0``.
3. **Interval disclosure** (the p % rule over the whole system, as cell-suppression auditing
   does: Fischetti & Salazar 2001). Does ``min / max x_i`` subject to ``A x = b, l <= x <= u``
   narrow some ``x_i`` to within p % of its value (for whole-number answers, to a single value)
   where no single statistic did? A cheap sufficient test goes first: moving along ``R e_i``
   keeps ``A x = b``, so if that segment inside the bounds already leaves the p % band, ``x_i``
   is safe; linear programs (HiGHS) run only for the unknowns it cannot clear.

A single statistic is the disclosure guard's business (k firms, dominance, p %); the ledger
answers for what combinations add.

References
----------
Chin, F. Y. & Özsoyoglu, G. (1982), Auditing and inference control in statistical databases,
*IEEE Transactions on Software Engineering* SE-8(6), 574–582.
Adam, N. R. & Wortmann, J. C. (1989), Security-control methods for statistical databases: a
comparative study, *ACM Computing Surveys* 21(4), 515–556.
Fischetti, M. & Salazar, J. J. (2001), Solving the cell suppression problem on tabular data
with linear constraints, *Management Science* 47(7), 1008–1027.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from econsec import highs
from econsec.sharing.disclosure import Verdict

__all__ = ["METHOD", "Ledger", "Statistic", "audit", "statistic"]

METHOD = (
    "econsec ledger 1 (unknowns per firm, measure and value; differencing; query auditing "
    "for sums with one colluding firm, Chin & Özsoyoglu 1982; interval inference by linear "
    "programming, p % rule)"
)
#: An unknown: (firm, measure, value).
Key = tuple[str, str, float]
#: The most unknowns one audit takes on (its matrices grow with their square); a release
#: connected to more earlier numbers than this is refused rather than half-audited.
MAX_UNKNOWNS = 3000
_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class Statistic:
    """A released number ``Σ weight · value`` over ``terms`` (firm, weight, value), of one
    ``measure``; the values lie in [``low``, ``high``] (public knowledge: where an unknown is in
    several statistics, the tightest bounds hold) and are whole numbers when ``integral``."""

    measure: str
    terms: tuple[tuple[str, float, float], ...]
    low: float = 0.0
    high: float = math.inf
    integral: bool = False

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple((f, self.measure, x) for f, _, x in self.terms)

    @property
    def firms(self) -> frozenset[str]:
        return frozenset(f for f, _, _ in self.terms)


def statistic(
    measure: str,
    values: Mapping[str, float],
    weights: Mapping[str, float] | None = None,
    *,
    low: float = 0.0,
    high: float = math.inf,
    integral: bool = False,
) -> Statistic:
    """A statistic over firms' ``values`` (weight 1 each unless ``weights`` are given).

    Values are rounded to 9 decimals, so that the same number keys the same unknown.

    Parameters
    ----------
    measure : str
        What the values are (``input_share``, ``benchmark:inventory_days``, …).
    values : mapping of str to float
        Firm → value.
    weights : mapping of str to float, optional
        Firm → weight in the released sum (default 1).
    low, high : float
        The public bounds of a value.
    integral : bool
        Whether values are whole numbers (Likert points, choices).

    Returns
    -------
    Statistic

    Examples
    --------
    >>> s = statistic("input_share", {"b": 0.4, "a": 0.2}, high=1.0)
    >>> s.terms, sorted(s.firms)
    ((('a', 1.0, 0.2), ('b', 1.0, 0.4)), ['a', 'b'])
    """
    w = weights or {}
    terms = tuple(sorted((f, float(w.get(f, 1.0)), round(float(x), 9)) for f, x in values.items()))
    return Statistic(measure, terms, low, high, integral)


class Ledger:
    """Earlier statistics, indexed by their unknowns (it grows as disclosures are recorded)."""

    def __init__(self, statistics: Iterable[Statistic] = ()) -> None:
        self.statistics: list[Statistic] = []
        self._rows: set[tuple[str, tuple[tuple[str, float, float], ...]]] = set()
        self._by_key: dict[Key, list[int]] = defaultdict(list)
        for s in statistics:
            self.add(s)

    def add(self, s: Statistic) -> None:
        """Record ``s`` (a repeat of an earlier statistic adds nothing)."""
        if (s.measure, s.terms) in self._rows:
            return
        self._rows.add((s.measure, s.terms))
        for key in s.keys:
            self._by_key[key].append(len(self.statistics))
        self.statistics.append(s)

    def __len__(self) -> int:
        return len(self.statistics)

    def connected(self, keys: Iterable[Key]) -> list[Statistic]:
        """Every earlier statistic connected to ``keys`` through shared unknowns."""
        todo, seen, found = list(keys), set(keys), set()
        while todo:
            for i in self._by_key.get(todo.pop(), ()):
                if i not in found:
                    found.add(i)
                    fresh = [k for k in self.statistics[i].keys if k not in seen]
                    seen.update(fresh)
                    todo += fresh
        return [self.statistics[i] for i in sorted(found)]


def audit(
    ledger: Ledger,
    new: Sequence[Statistic],
    min_firms: int = 5,
    p_percent: float = 10.0,
    max_unknowns: int = MAX_UNKNOWNS,
) -> Verdict:
    """Whether the statistics ``new`` may be released after every statistic in ``ledger`` (the
    three tests of the module docstring, in order).

    Parameters
    ----------
    ledger : Ledger
        Every earlier disclosure.
    new : sequence of Statistic
        What is to be released together.
    min_firms : int
        The guard's k (differencing).
    p_percent : float
        The guard's p (interval disclosure).
    max_unknowns : int
        Refuse (rule ``complexity``) rather than audit a system of more unknowns.

    Returns
    -------
    Verdict
        Rule ``differencing``, ``exact``, ``interval`` or ``complexity`` when refused; the
        message names no firm and no count.

    Examples
    --------
    Six firms' mean input share, then the same five firms' share of another finding on the same
    supplier (another kind, the same numbers): the sixth firm's share would follow.

    >>> six = {f"f{i}": 0.1 + 0.05 * i for i in range(6)}
    >>> ledger = Ledger([statistic("input_share", six, high=1.0)])
    >>> five = {f: x for f, x in six.items() if f != "f5"}
    >>> audit(ledger, [statistic("input_share", five, high=1.0)]).rule
    'differencing'

    Three statistics, each differing from the others in k or more firms, that still pin down a
    firm's value: (S + F) - (S + T) + (T) = F.

    >>> S = {f"s{i}": 0.2 for i in range(5)}
    >>> T = {f"t{i}": 0.3 for i in range(5)}
    >>> ledger = Ledger([statistic("input_share", S | {"F": 0.5}, high=1.0),
    ...                  statistic("input_share", S | T, high=1.0)])
    >>> audit(ledger, [statistic("input_share", T, high=1.0)]).rule
    'exact'
    >>> audit(ledger, [statistic("input_share", {f"u{i}": 0.3 for i in range(5)}, high=1.0)])
    Verdict(allowed=True, rule='ok', message='passes the release ledger')
    """
    if not new:
        return Verdict(True, "ok", "nothing to disclose")
    earlier = ledger.connected(k for s in new for k in s.keys)
    if len({k for s in [*earlier, *new] for k in s.keys}) > max_unknowns:
        return Verdict(False, "complexity", "this release is connected to too many earlier ones "
                       "to audit; a differentially private release may still be possible")  # fmt: skip
    for verdict in (
        _differencing(earlier, new, min_firms),
        _inference(Ledger([*earlier, *new]), p_percent),
    ):
        if not verdict.allowed:
            return verdict
    return Verdict(True, "ok", "passes the release ledger")


def _differencing(earlier: Sequence[Statistic], new: Sequence[Statistic], k: int) -> Verdict:
    """Test 1, between each new statistic and every earlier or other new one."""
    for i, s in enumerate(new):
        mine = set(s.keys)
        for e in [*earlier, *new[:i], *new[i + 1 :]]:
            if e.measure != s.measure or mine.isdisjoint(e.keys):
                continue
            firms = {f for f, _, _ in mine.symmetric_difference(e.keys)}
            if 0 < len(firms) < k:
                return Verdict(False, "differencing", "together with an earlier release this "
                               f"would isolate fewer than {k} firms")  # fmt: skip
    return Verdict(True, "ok", "")


def _inference(group: Ledger, p_percent: float) -> Verdict:
    """Tests 2 and 3 on one connected system."""
    keys = sorted({k for s in group.statistics for k in s.keys})
    x = np.array([k[2] for k in keys])
    V = _row_space(group.statistics, {k: j for j, k in enumerate(keys)})
    R = np.eye(len(keys)) - V.T @ V
    owner = np.array([k[0] for k in keys])
    if _determined(R, owner).any():
        return Verdict(False, "exact", "together with earlier releases this would determine a "
                       "firm's value")  # fmt: skip
    if len(group) > 1:
        bounds = _bounds(group.statistics, keys)
        unclear = [j for j in range(len(keys)) if not _cleared(R[:, j], x, bounds, j, p_percent)]
        for j, (lo, hi) in zip(unclear, _ranges(V, x, bounds, unclear), strict=True):
            if _narrow(lo, hi, x[j], p_percent, bounds.integral[j]) and not any(
                _narrow(*_alone(s, keys[j]), x[j], p_percent, bounds.integral[j])
                for s in group.statistics
                if keys[j] in s.keys
            ):
                return Verdict(False, "interval", "together with earlier releases this would "
                               f"narrow a firm's value to within {p_percent:g} %")  # fmt: skip
    return Verdict(True, "ok", "")


def _row_space(rows: Sequence[Statistic], col: Mapping[Key, int]) -> np.ndarray:
    """An orthonormal basis (as rows) of the row space of ``A``, the statistics' weights over
    the unknowns. ``A`` is reduced a block of rows at a time to its triangular QR factor, which
    has the same row space and singular values, so memory stays at the unknowns' square however
    many statistics there are."""
    n = len(col)
    factor: np.ndarray = np.zeros((0, n))
    step = max(n, 256)
    for start in range(0, len(rows), step):
        block = np.zeros((min(step, len(rows) - start), n))
        for i, s in enumerate(rows[start : start + step]):
            for key, (_, w, _) in zip(s.keys, s.terms, strict=True):
                block[i, col[key]] = w
        factor = np.asarray(np.linalg.qr(np.vstack([factor, block]), mode="r"))
    _, sv, Vt = np.linalg.svd(factor, full_matrices=False)
    return Vt[: int((sv > _TOL * max(1.0, sv[0])).sum())]


def _determined(R: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per unknown: determined alone, or given the unknowns of one other firm."""
    d = np.clip(np.diag(R), 0.0, None)
    out = d < _TOL
    for firm in np.unique(owner):
        K = owner == firm
        others = ~K & ~out
        if not others.any():
            continue
        RIK = R[np.ix_(others, K)]
        explained = np.einsum("ij,ij->i", RIK @ np.linalg.pinv(R[np.ix_(K, K)], rcond=1e-10), RIK)
        out[others] |= d[others] - explained < _TOL * np.maximum(1.0, d[others])
    return out


class _Bounds(NamedTuple):
    low: np.ndarray
    high: np.ndarray
    integral: list[bool]


def _bounds(statistics: Sequence[Statistic], keys: Sequence[Key]) -> _Bounds:
    """Per unknown, the tightest public bounds of the statistics it appears in."""
    low: dict[Key, float] = defaultdict(lambda: -math.inf)
    high: dict[Key, float] = defaultdict(lambda: math.inf)
    integral: set[Key] = set()
    for s in statistics:
        for k in s.keys:
            low[k], high[k] = max(low[k], s.low), min(high[k], s.high)
            if s.integral:
                integral.add(k)
    return _Bounds(
        np.array([low[k] for k in keys]),
        np.array([high[k] for k in keys]),
        [k in integral for k in keys],
    )


def _band(x: float, p: float, integral: bool) -> tuple[float, float]:
    """The values an estimate must reach beyond for ``x`` to be protected."""
    if integral:
        return x - 1.0, x + 1.0
    return x - p / 100 * abs(x), x + p / 100 * abs(x)


def _narrow(lo: float, hi: float, x: float, p: float, integral: bool) -> bool:
    below, above = _band(x, p, integral)
    eps = 1e-7 * max(1.0, abs(x))
    return lo > below + eps and hi < above - eps


def _cleared(d: np.ndarray, x: np.ndarray, b: _Bounds, j: int, p: float) -> bool:
    """Whether moving along ``d = R e_j`` (which keeps every released sum) within the bounds
    takes ``x_j`` beyond its p % band: then it is safe without a linear program."""
    if d[j] < _TOL:
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        pos, neg = d > _TOL, d < -_TOL
        up = np.where(pos, (b.high - x) / d, np.where(neg, (b.low - x) / d, np.inf)).min()
        down = np.where(pos, (x - b.low) / d, np.where(neg, (x - b.high) / d, np.inf)).min()
    return not _narrow(x[j] - down * d[j], x[j] + up * d[j], x[j], p, b.integral[j])


def _ranges(
    V: np.ndarray, x: np.ndarray, b: _Bounds, unknowns: Sequence[int]
) -> Iterator[tuple[float, float]]:
    """min and max of each x_j over V x = V x*, low <= x <= high: two linear programs each, on
    one HiGHS model whose objective alone changes (so each solve starts from the last basis);
    lazily, so that the audit stops at the first refusal."""
    if not unknowns:
        return
    import highspy

    h = highs.model()
    inf = highspy.kHighsInf
    n = len(x)
    idx = np.arange(n, dtype=np.int32)
    h.addVars(n, np.maximum(b.low, -inf), np.minimum(b.high, inf))
    slack = 1e-9 * max(1.0, float(np.abs(x).max()))
    for row, value in zip(V, V @ x, strict=True):
        h.addRow(value - slack, value + slack, n, idx, row)
    for j in unknowns:
        ends = []
        for sense in (1.0, -1.0):
            cost = np.zeros(n)
            cost[j] = sense
            h.changeColsCost(n, idx, cost)
            h.run()
            optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            ends.append(h.getSolution().col_value[j] if optimal else -sense * math.inf)
        yield float(ends[0]), float(ends[1])


def _alone(s: Statistic, key: Key) -> tuple[float, float]:
    """The range of ``key``'s value given ``s`` alone and the bounds."""
    total = sum(w * x for _, w, x in s.terms)
    i = s.keys.index(key)
    w = s.terms[i][1]
    others = [wk for k, (_, wk, _) in enumerate(s.terms) if k != i]
    rest_low = sum(wk * (s.low if wk > 0 else s.high) for wk in others)
    rest_high = sum(wk * (s.high if wk > 0 else s.low) for wk in others)
    a, b = (total - rest_high) / w, (total - rest_low) / w
    lo, hi = (a, b) if w > 0 else (b, a)
    return max(s.low, lo), min(s.high, hi)
