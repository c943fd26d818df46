"""Findings for cleared analysts, releases through the disclosure guard, and what firms get
back: alerts, their STIX bundle and benchmark reports."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from econsec.access.policy import Classification, Resource, is_allowed
from econsec.app.platform import Caller, Platform
from econsec.errors import (
    AccessDenied,
    DisclosureRefused,
    InputError,
    InsufficientData,
    NotFoundError,
)
from econsec.sharing.benchmarks import Benchmark, Profile, benchmark, profile
from econsec.sharing.disclosure import Verdict, check
from econsec.sharing.exchange import alert_bundle
from econsec.sharing.findings import Finding, FindingSummary
from econsec.sharing.privacy import noisy_mean
from econsec.sharing.records import SupplierRecord
from econsec.sharing.releases import (
    FINDINGS_METHOD,
    Privacy,
    Release,
    finding_release,
    preview_text,
)
from econsec.storage import platform as store

__all__ = [
    "AUDIENCE",
    "BenchmarkReport",
    "Preview",
    "alerts",
    "alerts_stix",
    "benchmarks",
    "check_audience",
    "list_findings",
    "preview_release",
    "publish_finding",
    "publish_release",
    "readable_audiences",
    "visible_finding",
]

#: The smallest privacy loss a release may state (below it the noise swamps the statistic, and
#: subnormal numbers break the mechanism).
MIN_EPSILON = 0.01
#: Who a release may go to: every signed-in user, every contributing firm, or one sector's.
AUDIENCE = r"^(all_firms|public|sector:[A-Za-z0-9_.-]{1,30})$"
_NOT_FOUND = "no finding with this id"


@dataclass(frozen=True, slots=True)
class Preview:
    """What releasing a finding would give: the guard's verdict and, when allowed, the text."""

    allowed: bool
    rule: str
    message: str
    text: str


@dataclass(frozen=True, slots=True)
class BenchmarkReport(Benchmark):
    """A firm's benchmark report and the method behind it."""

    method: str = FINDINGS_METHOD


def check_audience(audience: str) -> str:
    """``audience`` if it names one (``all_firms``, ``public`` or ``sector:CODE``)."""
    if not re.match(AUDIENCE, audience):
        raise InputError(f"unknown audience {audience!r}",
                         expected="all_firms, public or sector:CODE")  # fmt: skip
    return audience


def list_findings(p: Platform, caller: Caller) -> list[FindingSummary]:
    """Cross-firm findings the caller's clearance and compartments allow (cleared analysts)."""
    s = caller.subject
    p.authorise(s, "read_findings", Resource("finding"), "findings (list)")
    now = p.now()
    return [
        f.summary()
        for f in p.findings(max_age=p.settings.findings_max_age)
        if is_allowed(s, "read_findings", p.finding_resource(f), now)
    ]


def visible_finding(p: Platform, caller: Caller, finding_id: str, action: str) -> Finding:
    """The finding if the caller may read it; else :class:`NotFoundError` alike for missing
    and hidden (both audited, the missing one under ``action``)."""
    finding = next((f for f in p.findings() if f.id == finding_id[:32]), None)
    label = f"finding/{finding_id[:32]}"
    if finding is None:
        p.audit(caller.subject.user, action, label, False, "no such finding")
        raise NotFoundError(_NOT_FOUND)
    try:
        p.authorise(caller.subject, "read_findings", p.finding_resource(finding), label)
    except AccessDenied:
        raise NotFoundError(_NOT_FOUND) from None
    return finding


def _country_share(p: Platform, finding: Finding) -> float | None:
    """A ``shared_country`` finding's country share, if the guard passes the cell behind it
    (every firm sourcing the product, from any country); else None: not stated."""
    if finding.kind != "shared_country":
        return None
    if not check(finding.denominator, (), p.settings.guard).allowed:
        return None
    return finding.stats["country_share"]


def preview_release(p: Platform, caller: Caller, finding_id: str) -> Preview:
    """The guard's verdict on releasing a finding, and the text (nothing is released; the
    preview is audited)."""
    finding = visible_finding(p, caller, finding_id, "publish_release")
    label = f"finding/{finding.id}"
    verdict = check(finding.contributions, p.earlier_contributors(finding), p.settings.guard)
    p.audit(caller.subject.user, "release_preview", label, verdict.allowed,
            f"{verdict.rule}: {verdict.message}")  # fmt: skip
    text = preview_text(finding, _country_share(p, finding)) if verdict.allowed else ""
    return Preview(verdict.allowed, verdict.rule, verdict.message, text)


def publish_release(
    p: Platform, caller: Caller, finding_id: str, audience: str, epsilon: float | None = None
) -> Release:
    """Publish a finding to an audience if the caller may and the disclosure guard allows it
    (else :class:`DisclosureRefused` naming the rule)."""
    check_audience(audience)
    finding = visible_finding(p, caller, finding_id, "publish_release")
    p.authorise(caller.subject, "publish_release", p.finding_resource(finding),
                f"finding/{finding.id}")  # fmt: skip
    return publish_finding(p, finding, audience, caller.subject.user, epsilon)


def publish_finding(
    p: Platform, finding: Finding, audience: str, user: str, epsilon: float | None = None
) -> Release:
    """Release ``finding`` to ``audience`` through the guard — with differential privacy
    charged to every contributing firm's lifetime budget when ``epsilon`` is given — or raise
    :class:`DisclosureRefused` (an exact release of a statistic released with differential
    privacy before is refused too). The guard's decision and the release are audited. (The caller
    has been authorised: :func:`publish_release`, or the demo seed.)"""
    label = f"finding/{finding.id}"
    if epsilon is not None and not (math.isfinite(epsilon) and MIN_EPSILON <= epsilon <= 2):
        raise InputError(f"epsilon {epsilon!r}", expected=f"a number from {MIN_EPSILON} to 2")
    earlier = p.earlier_releases(finding)
    verdict = check(finding.contributions, [c for _, c in earlier], p.settings.guard)
    if verdict.allowed and epsilon is None and any(r.privacy for r, _ in earlier):
        verdict = Verdict(False, "privacy", "an exact release after a differentially private "
                          "one of this statistic would undo its privacy")  # fmt: skip
    p.audit(user, "release_guard", label, verdict.allowed, f"{verdict.rule}: {verdict.message}")
    if not verdict.allowed:
        raise DisclosureRefused(verdict.rule, verdict.message)
    published = p.now().isoformat(timespec="seconds").replace("+00:00", "Z")
    release = finding_release(finding, audience, published,
                              country_share=_country_share(p, finding))  # fmt: skip
    with p.write() as conn:
        if epsilon is not None:
            noisy = noisy_mean(list(finding.contributions.values()), epsilon)
            left = store.spend_privacy(conn, frozenset(finding.contributions),
                                       round(noisy.epsilon, 6), p.settings.dp_budget)  # fmt: skip
            if left is None:
                store.append_audit(
                    conn, p.ring, user, "release", label, False, "privacy budget spent"
                )
                raise DisclosureRefused("privacy_budget", "the privacy budget of a firm whose "
                                        "data this uses is spent")  # fmt: skip
            privacy = Privacy(round(noisy.epsilon, 6), "Laplace (OpenDP)", round(left, 6))
            release = finding_release(finding, audience, published, n_firms=noisy.count,
                                      share=noisy.mean, privacy=privacy)  # fmt: skip
        store.add_release(conn, p.ring, release, frozenset(finding.contributions), user)
        store.append_audit(
            conn, p.ring, user, "release", f"release/{release.id}", True, verdict.rule
        )
    return release


def alerts(p: Platform, caller: Caller) -> list[Release]:
    """Released alerts for the caller: public ones, and more when their firm shares its data."""
    s = caller.subject
    p.authorise(s, "read", Resource("release", Classification.PUBLIC, audience="public"), "alerts")
    return p.releases_for(s)


def alerts_stix(p: Platform, caller: Caller) -> str:
    """The caller's alerts as a STIX 2.1 bundle (JSON text) with TLP 2.0 markings."""
    return alert_bundle(alerts(p, caller))


def readable_audiences(p: Platform, caller: Caller) -> list[str]:
    """The release audiences the caller may read (``public``, ``all_firms``, their sector's)."""
    s = caller.subject
    candidates = ["public", "all_firms"] + ([f"sector:{s.sector}"] if s.sector else [])
    now = p.now()
    allowed = [
        a
        for a in candidates
        if is_allowed(s, "read", Resource("release", Classification.SHARED, audience=a), now)
    ]
    p.audit(s.user, "read", "taxii collections", True, f"{len(allowed)} audiences")
    return allowed


def benchmarks(p: Platform, caller: Caller) -> BenchmarkReport:
    """The caller's firm's exposure against its sector (firms with a current supplier
    submission); :class:`InsufficientData` without tier-1 input shares."""
    s = caller.subject
    p.authorise(s, "read_benchmarks", Resource("benchmark", owner_org=s.org), "benchmarks")
    by_org: dict[str, list[SupplierRecord]] = defaultdict(list)
    sectors: dict[str, str] = {}
    with p.read() as conn:
        for org, sector, record in store.current_records(conn, p.ring, "suppliers"):
            if isinstance(record, SupplierRecord):
                by_org[org].append(record)
                sectors[org] = sector or "unknown"
    profiles: dict[str, tuple[str, Profile]] = {
        o: (sectors[o], pr) for o, rs in by_org.items() if (pr := profile(rs))
    }
    if s.org not in profiles:
        raise InsufficientData("insufficient data: submit tier-1 suppliers with input shares")
    b = benchmark(s.org, profiles, p.settings.guard.min_firms)
    return BenchmarkReport(b.sector, b.status, b.min_firms, b.metrics)
