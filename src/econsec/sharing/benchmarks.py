"""Benchmark reports: a firm's exposure against the other firms of its sector.

A firm's profile is computed from its own current supplier records (tier 1):

* ``top_country_share`` — share of its inputs from its largest source country;
* ``single_source_share`` — share of its inputs from single sources;
* ``concern_share`` — share from the ``concern`` country group of the reference groups;
* ``inventory_days`` — inventory days weighted by input share.

The sector comparison is released only when at least ``min_firms`` firms of the sector have a
current submission (else it says "insufficient data"), and shows the sector mean and the firm's
own quarter, never another firm's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from econsec.reference.countries import group_members
from econsec.sharing.records import SupplierRecord

__all__ = [
    "EXPOSURE_METHOD",
    "METRICS",
    "Benchmark",
    "Comparison",
    "CountryExposure",
    "Exposure",
    "GroupExposure",
    "Profile",
    "TierCount",
    "benchmark",
    "exposure",
    "profile",
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
    """A firm's benchmark report: ``status`` is ``ok`` or ``insufficient data``."""

    sector: str
    status: str
    min_firms: int
    metrics: Mapping[str, Comparison]


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


def benchmark(
    org: str, profiles: Mapping[str, tuple[str, Profile]], min_firms: int = 5
) -> Benchmark:
    """The benchmark report of ``org`` among the firms of its sector: its own values, the sector
    mean and its quarter, only when at least ``min_firms`` firms of the sector contribute.

    Parameters
    ----------
    org : str
        The firm.
    profiles : mapping of str to (str, Profile)
        Firm → (sector, profile).
    min_firms : int
        The guard's k.

    Returns
    -------
    Benchmark

    Examples
    --------
    >>> profiles = {f"f{i}": ("C29", Profile(0.5, 0.2, 0.3, 10.0 * i)) for i in range(5)}
    >>> b = benchmark("f4", profiles)
    >>> b.status, b.metrics["inventory_days"]
    ('ok', Comparison(own=40.0, sector_mean=20.0, position='highest quarter'))
    >>> benchmark("f4", dict(list(profiles.items())[1:])).status
    'insufficient data'
    """
    sector, own = profiles[org]
    peers = [p for s, p in profiles.values() if s == sector]
    enough = len(peers) >= min_firms
    metrics = {}
    for m in METRICS:
        values = [getattr(p, m) for p in peers]
        mine = getattr(own, m)
        metrics[m] = Comparison(
            own=round(mine, 4),
            sector_mean=round(sum(values) / len(values), 4) if enough else None,
            position=_quarter(mine, values) if enough else None,
        )
    return Benchmark(sector, "ok" if enough else "insufficient data", min_firms, metrics)


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
