"""Benchmark reports: a firm's exposure against the other firms of its sector.

A firm's profile is computed from its own current supplier records (tier 1):

* ``top_country_share`` — share of its inputs from its largest source country;
* ``single_source_share`` — share of its inputs from single sources;
* ``concern_share`` — share from the ``concern`` country group of the reference groups;
* ``inventory_days`` — inventory days weighted by input share.

The sector comparison is published as a :class:`Snapshot` per period — only when at least
``min_firms`` firms of the sector contribute and the release ledger lets it through (else it
says "insufficient data") — and shows the sector mean and the firm's own quarter, never another
firm's value or the number of firms.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from econsec.reference.countries import group_members
from econsec.sharing.disclosure import Guard, check
from econsec.sharing.ledger import Statistic, statistic
from econsec.sharing.records import SupplierRecord

__all__ = [
    "BOUNDS",
    "EXPOSURE_METHOD",
    "METRICS",
    "PERIODS",
    "Benchmark",
    "Comparison",
    "CountryExposure",
    "Exposure",
    "GroupExposure",
    "Profile",
    "Snapshot",
    "TierCount",
    "changed",
    "exposure",
    "period_of",
    "profile",
    "report",
    "snapshot",
    "statistics",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """A firm's exposure profile (see the module docstring)."""

    top_country_share: float
    single_source_share: float
    concern_share: float
    inventory_days: float


METRICS = tuple(f.name for f in fields(Profile))


@dataclass(frozen=True, slots=True)
class Comparison:
    """One metric of a benchmark: the firm's own value, the sector mean and its quarter (both
    None with insufficient data)."""

    own: float
    sector_mean: float | None
    position: str | None


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A firm's benchmark report: ``status`` is ``ok`` or ``insufficient data``; ``period`` and
    ``published`` say which snapshot it comes from."""

    sector: str
    status: str
    min_firms: int
    metrics: Mapping[str, Comparison]
    period: str | None = None
    published: str | None = None


def profile(records: Sequence[SupplierRecord]) -> Profile | None:
    """A firm's exposure profile from its supplier records (see the module docstring).

    Parameters
    ----------
    records : sequence of SupplierRecord
        The firm's current supplier records.

    Returns
    -------
    Profile or None
        None when the firm reports no tier-1 input share.

    Examples
    --------
    >>> p = profile([SupplierRecord("A", "CHN", "850511", 1, 0.6, True, 30),
    ...              SupplierRecord("B", "USA", "850511", 1, 0.2, False, 90)])
    >>> round(p.top_country_share, 4), p.inventory_days
    (0.75, 45.0)
    """
    direct = [r for r in records if r.tier == 1 and r.input_share > 0]
    total = sum(r.input_share for r in direct)
    if total <= 0:
        return None
    by_country: dict[str, float] = defaultdict(float)
    for r in direct:
        by_country[r.country] += r.input_share
    concern = group_members("concern")

    def share(rows: Sequence[SupplierRecord]) -> float:
        return sum(r.input_share for r in rows) / total

    return Profile(
        top_country_share=max(by_country.values()) / total,
        single_source_share=share([r for r in direct if r.single_source]),
        concern_share=share([r for r in direct if r.country in concern]),
        inventory_days=sum(r.input_share * r.inventory_days for r in direct) / total,
    )


def _quarter(own: float, values: Sequence[float]) -> str:
    below = sum(v < own for v in values) / len(values)
    return ("lowest", "second", "third", "highest")[min(3, int(below * 4))] + " quarter"


#: How often benchmarks are published.
PERIODS = ("day", "week", "month", "quarter")


def period_of(moment: datetime, period: str) -> str:
    """The label of the ``period`` (one of :data:`PERIODS`) that ``moment`` falls in.

    Parameters
    ----------
    moment : datetime
        A time.
    period : str
        ``day``, ``week`` (ISO weeks), ``month`` or ``quarter``.

    Returns
    -------
    str

    Examples
    --------
    >>> moment = datetime(2026, 12, 1, 9, 30)
    >>> [period_of(moment, p) for p in PERIODS]
    ['2026-12-01', '2026-W49', '2026-12', '2026-Q4']
    """
    if period == "day":
        return moment.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return moment.strftime("%Y-%m")


def changed(snap: Snapshot, profiles: Mapping[str, Profile]) -> int:
    """How many firms joined, left or changed a value since ``snap``.

    Parameters
    ----------
    snap : Snapshot
        The latest snapshot (published or withheld).
    profiles : mapping of str to Profile
        The sector's firms' current profiles.

    Returns
    -------
    int

    Examples
    --------
    >>> profiles = {f"f{i}": Profile(0.5, 0.2, 0.3, 10.0 * i) for i in range(6)}
    >>> snap = snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", profiles)
    >>> changed(snap, profiles | {"f0": Profile(0.5, 0.2, 0.3, 1.0), "f9": profiles["f1"]})
    2
    """
    firms = set(snap.own) | set(profiles)
    return sum(
        f not in snap.own
        or f not in profiles
        or any(snap.own[f][m][0] != round(getattr(profiles[f], m), 4) for m in METRICS)
        for f in firms
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A sector's benchmark as published for one period: the sector means, and each
    contributing firm's own values and quarters at that time (each shown to that firm only).

    Benchmarks are never recomputed per request: a firm that changes its submission sees the
    same numbers until the next snapshot, so it cannot probe the others by moving its own."""

    sector: str
    period: str
    created: str
    means: Mapping[str, float | None]
    own: Mapping[str, Mapping[str, tuple[float, str]]]
    #: The rule that withheld it (a withheld snapshot is kept to compare with, never shown).
    withheld: str | None = None

    @property
    def contributors(self) -> frozenset[str]:
        return frozenset(self.own)


def snapshot(
    sector: str,
    period: str,
    created: str,
    profiles: Mapping[str, Profile],
    guard: Guard | None = None,
) -> Snapshot:
    """The snapshot of a sector's firms' ``profiles`` (firm → profile); a metric whose values
    fail the disclosure guard (e.g. one firm's inventory days dominate) has no mean.

    Parameters
    ----------
    sector, period, created : str
        The sector, the period's label (:func:`period_of`) and the time of publication.
    profiles : mapping of str to Profile
        Firm → profile, of the sector's contributing firms.
    guard : Guard, optional
        The disclosure thresholds.

    Returns
    -------
    Snapshot

    Examples
    --------
    >>> profiles = {f"f{i}": Profile(0.5, 0.2, 0.3, 10.0 * i) for i in range(6)}
    >>> snap = snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", profiles)
    >>> snap.means["inventory_days"], snap.own["f4"]["inventory_days"]
    (25.0, (40.0, 'third quarter'))
    >>> profiles["f5"] = Profile(0.5, 0.2, 0.3, 900.0)
    >>> snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", profiles).means["inventory_days"]
    """
    values = {m: {o: getattr(p, m) for o, p in profiles.items()} for m in METRICS}
    return Snapshot(
        sector=sector,
        period=period,
        created=created,
        means={
            m: round(sum(v.values()) / len(v), 4)
            if check(v, (), guard or Guard()).allowed
            else None
            for m, v in values.items()
        },
        own={
            org: {
                m: (round(getattr(p, m), 4), _quarter(getattr(p, m), list(values[m].values())))
                for m in METRICS
            }
            for org, p in profiles.items()
        },
    )


#: The public range of each metric (shares in [0, 1], days from 0), for the release ledger.
BOUNDS = {m: (0.0, math.inf if m == "inventory_days" else 1.0) for m in METRICS}


def statistics(snap: Snapshot) -> list[Statistic]:
    """What a snapshot discloses: one sum per metric with a mean (the mean times the count), as
    the release ledger sees it (measure ``benchmark:<metric>``).

    Parameters
    ----------
    snap : Snapshot
        A snapshot to publish.

    Returns
    -------
    list of Statistic

    Examples
    --------
    >>> profiles = {f"f{i}": Profile(0.5, 0.2, 0.3, 10.0 * i) for i in range(6)}
    >>> snap = snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", profiles)
    >>> [(s.measure, len(s.terms), s.high) for s in statistics(snap)][-1]
    ('benchmark:inventory_days', 6, inf)
    """
    out = []
    for m in METRICS:
        if snap.means[m] is not None:
            values = {o: own[m][0] for o, own in snap.own.items()}
            out.append(statistic(f"benchmark:{m}", values, low=BOUNDS[m][0], high=BOUNDS[m][1]))
    return out


def report(snap: Snapshot | None, org: str, own: Profile, min_firms: int = 5) -> Benchmark:
    """The benchmark report of ``org`` from its sector's latest snapshot: its own values and
    quarter as they were then (its current values, without a quarter, when it joined after).

    Parameters
    ----------
    snap : Snapshot or None
        The sector's latest snapshot (None: nothing published yet).
    org : str
        The firm.
    own : Profile
        Its current profile.
    min_firms : int
        The guard's k.

    Returns
    -------
    Benchmark

    Examples
    --------
    >>> profiles = {f"f{i}": Profile(0.5, 0.2, 0.3, 10.0 * i) for i in range(6)}
    >>> snap = snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", profiles)
    >>> b = report(snap, "f5", Profile(0.5, 0.2, 0.3, 99.0))
    >>> b.status, b.metrics["inventory_days"]
    ('ok', Comparison(own=50.0, sector_mean=25.0, position='highest quarter'))
    >>> report(snap, "new", Profile(0.5, 0.2, 0.3, 99.0)).metrics["inventory_days"].position
    >>> report(None, "f5", Profile(0.5, 0.2, 0.3, 99.0)).status
    'insufficient data'
    """
    if snap is None:
        metrics = {m: Comparison(round(getattr(own, m), 4), None, None) for m in METRICS}
        return Benchmark("", "insufficient data", min_firms, metrics)
    then = snap.own.get(org)
    metrics = {
        m: Comparison(then[m][0], snap.means[m], then[m][1])
        if then
        else Comparison(round(getattr(own, m), 4), snap.means[m], None)
        for m in METRICS
    }
    return Benchmark(snap.sector, "ok", min_firms, metrics, snap.period, snap.created)


EXPOSURE_METHOD = "econsec own exposure 1 (input-share weighted; critical lists of the catalogue)"


@dataclass(frozen=True, slots=True)
class CountryExposure:
    """A country's share of the firm's direct (tier-1) and of its deeper-tier inputs."""

    country: str
    direct: float
    deeper: float


@dataclass(frozen=True, slots=True)
class GroupExposure:
    """A critical product group the firm buys directly, with its largest country share."""

    key: str
    name: str
    name_ja: str
    products: tuple[str, ...]
    top_country: str
    top_share: float


@dataclass(frozen=True, slots=True)
class TierCount:
    """The suppliers of one tier, and how many of them are single sources."""

    tier: int
    n: int
    single: int


@dataclass(frozen=True, slots=True)
class Exposure:
    """A firm's own exposure (see :func:`exposure`)."""

    n_records: int
    n_products: int
    countries: tuple[CountryExposure, ...]
    groups: tuple[GroupExposure, ...]
    tiers: tuple[TierCount, ...]
    method: str = EXPOSURE_METHOD


def exposure(records: Sequence[SupplierRecord], day: date | None = None) -> Exposure | None:
    """A firm's own exposure from its supplier records: the countries of its direct (tier-1)
    and deeper-tier inputs, weighted by input share; the critical product groups it buys, with
    the largest country share in each; and its suppliers by tier.

    Parameters
    ----------
    records : sequence of SupplierRecord
        The firm's current supplier records.
    day : datetime.date, optional
        The day whose critical product lists apply (default: today's).

    Returns
    -------
    Exposure or None
        None without input shares.

    Examples
    --------
    >>> e = exposure([SupplierRecord("A", "CHN", "850511", 1, 0.6, True, 30),
    ...               SupplierRecord("B", "MMR", "280530", 2, 0.5, False, 30)])
    >>> [(c.country, c.direct, c.deeper) for c in e.countries]
    [('CHN', 1.0, 0.0), ('MMR', 0.0, 1.0)]
    """
    from econsec.reference.catalogue import groups_containing

    def shares(rows: Sequence[SupplierRecord]) -> dict[str, float]:
        total = sum(r.input_share for r in rows)
        out: dict[str, float] = defaultdict(float)
        for r in rows:
            out[r.country] += r.input_share / total if total else 0.0
        return out

    direct = [r for r in records if r.tier == 1 and r.input_share > 0]
    deeper = [r for r in records if r.tier > 1 and r.input_share > 0]
    if not direct and not deeper:
        return None
    d, h = shares(direct), shares(deeper)
    countries = tuple(
        CountryExposure(c, round(d.get(c, 0.0), 4), round(h.get(c, 0.0), 4))
        for c in sorted(set(d) | set(h), key=lambda c: (-d.get(c, 0.0), -h.get(c, 0.0), c))
    )
    names: dict[str, tuple[str, str]] = {}
    rows: dict[str, list[SupplierRecord]] = defaultdict(list)
    for r in direct:
        for g in groups_containing(r.product, day):
            names[g.key] = (g.name_en, g.name_ja)
            rows[g.key].append(r)
    groups = []
    for key in sorted(rows):
        top, share = max(shares(rows[key]).items(), key=lambda t: t[1])
        products = tuple(sorted({r.product for r in rows[key]}))
        groups.append(GroupExposure(key, *names[key], products, top, round(share, 4)))
    tiers = tuple(
        TierCount(t, sum(r.tier == t for r in records),
                  sum(r.tier == t and r.single_source for r in records))
        for t in sorted({r.tier for r in records})
    )  # fmt: skip
    return Exposure(
        len(records), len({r.product for r in records}), countries, tuple(groups), tiers
    )
