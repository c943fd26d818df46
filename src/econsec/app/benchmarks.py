"""Sector benchmarks for firms, published as snapshots: once per period (``ECONSEC_BENCHMARK_
PERIOD``), or sooner once at least k firms of the sector have joined, left or changed, and only
when the release ledger lets the snapshot through. Between snapshots every request gets the same
numbers, so a firm cannot probe the others by moving its own submission, and the number of
firms behind a mean is never shown."""

from __future__ import annotations

from dataclasses import dataclass

from econsec.access.policy import Resource
from econsec.app import ledger
from econsec.app.platform import Caller, Platform
from econsec.errors import InsufficientData
from econsec.sharing.benchmarks import (
    Benchmark,
    Profile,
    Snapshot,
    changed,
    period_of,
    profile,
    report,
    snapshot,
    statistics,
)
from econsec.sharing.records import SupplierRecord
from econsec.storage import ledger as snapshots
from econsec.storage import platform as store

__all__ = ["METHOD", "BenchmarkReport", "benchmarks"]

METHOD = "econsec benchmarks 2 (snapshots per period or after k firms change; release ledger)"


@dataclass(frozen=True, slots=True)
class BenchmarkReport(Benchmark):
    """A firm's benchmark report and the method behind it."""

    method: str = METHOD


def benchmarks(p: Platform, caller: Caller) -> BenchmarkReport:
    """The caller's firm's exposure against its sector, from the sector's latest snapshot
    (taking a new one first when one is due); :class:`InsufficientData` without tier-1 input
    shares."""
    s = caller.subject
    p.authorise(s, "read_benchmarks", Resource("benchmark", owner_org=s.org), "benchmarks")
    sector, profiles = _sector_profiles(p, s.org)
    if s.org not in profiles:
        raise InsufficientData("insufficient data: submit tier-1 suppliers with input shares")
    with p.read() as conn:
        latest, published = snapshots.latest_snapshots(conn, p.ring, sector)
    period = period_of(p.now(), p.settings.benchmark_period)
    if _due(latest, period, profiles, p.settings.guard.min_firms):
        published = _take(p, sector, period, profiles, s.user) or published
    b = report(published, s.org, profiles[s.org], p.settings.guard.min_firms)
    return BenchmarkReport(sector, b.status, b.min_firms, b.metrics, b.period, b.published)


def _sector_profiles(p: Platform, org: str) -> tuple[str, dict[str, Profile]]:
    """The firm's sector, and the profiles of the sector's firms with a current supplier list."""
    by_org: dict[str, list[SupplierRecord]] = {}
    sectors: dict[str, str] = {}
    with p.read() as conn:
        for o, sector, record in store.current_records(conn, p.ring, "suppliers"):
            if isinstance(record, SupplierRecord):
                by_org.setdefault(o, []).append(record)
                sectors[o] = sector or "unknown"
    sector = sectors.get(org, "unknown")
    return sector, {
        o: pr for o, rs in by_org.items() if sectors[o] == sector and (pr := profile(rs))
    }


def _due(latest: Snapshot | None, period: str, profiles: dict[str, Profile], k: int) -> bool:
    """Whether a new snapshot is due: none yet (with k firms), a new period, or k firms changed
    since the latest attempt (published or withheld)."""
    if latest is None:
        return len(profiles) >= k
    return latest.period != period or changed(latest, profiles) >= k


def _take(
    p: Platform, sector: str, period: str, profiles: dict[str, Profile], user: str
) -> Snapshot | None:
    """A new snapshot, if the guard and the release ledger allow it; else the attempt is kept as
    withheld (so it is not retried until the next is due) and None returned."""
    created = p.now().isoformat(timespec="seconds").replace("+00:00", "Z")
    snap = snapshot(sector, period, created, profiles, p.settings.guard)
    label = f"benchmark/{sector}/{period}"
    k = p.settings.guard.min_firms
    with p.write() as conn:
        ledger.lock(conn)
        latest, published = snapshots.latest_snapshots(conn, p.ring, sector)
        if not _due(latest, period, profiles, k):  # another request took it meanwhile
            return published
        verdict = ledger.admit(p, conn, statistics(snap))
        if len(profiles) < k:
            snap = Snapshot(sector, period, created, {}, snap.own, "min_firms")
        elif not verdict.allowed:
            snap = Snapshot(sector, period, created, {}, snap.own, verdict.rule)
        snapshots.add_snapshot(conn, p.ring, snap)
        store.append_audit(conn, p.ring, user, "release", label, snap.withheld is None,
                           snap.withheld or "ok")  # fmt: skip
        if snap.withheld is None:
            ledger.record(p, conn, user, "benchmark", label, statistics(snap),
                          {"means": dict(snap.means)})  # fmt: skip
    return None if snap.withheld else snap
