"""Findings for cleared analysts, releases through the disclosure guard, and what firms get
back: alerts and their STIX bundle."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from econsec.access.policy import Classification, Resource, is_allowed
from econsec.app import ledger
from econsec.app.platform import Caller, Platform
from econsec.errors import (
    AccessDenied,
    DisclosureRefused,
    InputError,
    NotFoundError,
)
from econsec.i18n import N_
from econsec.sharing.disclosure import Verdict, check
from econsec.sharing.exchange import alert_bundle, misp_feed
from econsec.sharing.findings import Finding, FindingSummary
from econsec.sharing.privacy import noisy_mean
from econsec.sharing.releases import (
    Privacy,
    Release,
    finding_release,
    finding_statistics,
    preview_text,
)
from econsec.storage import platform as store

__all__ = [
    "AUDIENCE",
    "FindingFilter",
    "Preview",
    "WorkItem",
    "alerts",
    "alerts_misp",
    "alerts_stix",
    "check_audience",
    "list_findings",
    "preview_release",
    "publish_finding",
    "publish_release",
    "readable_audiences",
    "visible_finding",
    "worklist",
]

#: The smallest privacy loss a release may state (below it the noise swamps the statistic, and
#: subnormal numbers break the mechanism).
MIN_EPSILON = 0.01
#: Who a release may go to: every signed-in user, every contributing firm, every operator with a
#: plan, or one sector's (firms' or operators').
AUDIENCE = r"^(all_firms|all_operators|public|sector:[A-Za-z0-9_.-]{1,30})$"
_NOT_FOUND = "no finding with this id"


@dataclass(frozen=True, slots=True)
class Preview:
    """What releasing a finding would give: the guard's verdict and, when allowed, the text in
    English and Japanese (both worded from the numbers, as the release would be)."""

    allowed: bool
    rule: str
    message: str
    text: str
    text_ja: str = ""


def check_audience(audience: str) -> str:
    """``audience`` if it names one (``all_firms``, ``public`` or ``sector:CODE``)."""
    if not re.match(AUDIENCE, audience):
        raise InputError("unknown audience {audience!r}", values={"audience": audience},
                         expected=N_("all_firms, all_operators, public or sector:CODE"))  # fmt: skip
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


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A finding on the analysts' worklist with the disclosure guard's verdict on releasing it
    (the release ledger's check follows when a release is composed)."""

    finding: FindingSummary
    releasable: bool
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Which findings to list: by kind, product (HS code prefix), country, classification and
    whether the guard would release them (None: either)."""

    kind: str = ""
    product: str = ""
    country: str = ""
    classification: str = ""
    releasable: bool | None = None

    def keeps(self, item: WorkItem) -> bool:
        f = item.finding
        return ((not self.kind or f.kind == self.kind)
                and (not self.product or f.product.startswith(self.product))
                and (not self.country or f.country == self.country.upper())
                and (not self.classification or f.classification == self.classification)
                and (self.releasable is None or item.releasable == self.releasable))  # fmt: skip


def worklist(p: Platform, caller: Caller, wanted: FindingFilter | None = None) -> list[WorkItem]:
    """The findings the caller may read, most severe first, each with the guard's verdict,
    filtered by ``wanted`` (one audited list, as :func:`list_findings`)."""
    s = caller.subject
    p.authorise(s, "read_findings", Resource("finding"), "findings (worklist)")
    now = p.now()
    items = []
    for f in p.findings(max_age=p.settings.findings_max_age):
        if not is_allowed(s, "read_findings", p.finding_resource(f), now):
            continue
        verdict = _guard(p, f, private=False)
        items.append(WorkItem(f.summary(), verdict.allowed,
                              "" if verdict.allowed else verdict.rule, verdict.message))  # fmt: skip
    kept = [i for i in items if (wanted or FindingFilter()).keeps(i)]
    return sorted(kept, key=lambda i: (-i.finding.severity, i.finding.subject, i.finding.id))


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


def _guard(p: Platform, finding: Finding, private: bool) -> Verdict:
    """The guard's verdict on one finding's cell (and the rule against an exact release of a
    statistic released with differential privacy before)."""
    earlier = p.earlier_releases(finding)
    verdict = check(finding.contributions, [c for _, c in earlier], p.settings.guard)
    if verdict.allowed and not private and any(r.privacy for r, _ in earlier):
        return Verdict(False, "privacy", "an exact release after a differentially private one "
                       "of this statistic would undo its privacy")  # fmt: skip
    return verdict


def preview_release(p: Platform, caller: Caller, finding_id: str) -> Preview:
    """The verdict of the guard and the release ledger on releasing a finding, and the text
    (nothing is released; the preview is audited)."""
    finding = visible_finding(p, caller, finding_id, "publish_release")
    label = f"finding/{finding.id}"
    verdict = _guard(p, finding, private=False)
    if verdict.allowed:
        verdict = ledger.preview(p, finding_statistics(finding))
    p.audit(caller.subject.user, "release_preview", label, verdict.allowed,
            f"{verdict.rule}: {verdict.message}")  # fmt: skip
    if not verdict.allowed:
        return Preview(verdict.allowed, verdict.rule, verdict.message, "")
    share = _country_share(p, finding)
    return Preview(verdict.allowed, verdict.rule, verdict.message,
                   preview_text(finding, share), preview_text(finding, share, "ja"))  # fmt: skip


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
    """Release ``finding`` to ``audience`` through the guard and the release ledger — or, when
    ``epsilon`` is given, with differential privacy charged to every contributing firm's
    lifetime budget — else raise :class:`DisclosureRefused` (an exact release of a statistic
    released with differential privacy before is refused too). Every decision and the release
    are audited. (The caller has been authorised: :func:`publish_release`, or the demo seed.)"""
    label = f"finding/{finding.id}"
    if epsilon is not None and not (math.isfinite(epsilon) and MIN_EPSILON <= epsilon <= 2):
        raise InputError(
            "epsilon {epsilon!r}",
            values={"epsilon": epsilon},
            expected=f"a number from {MIN_EPSILON} to 2",
        )
    verdict = _guard(p, finding, private=epsilon is not None)
    p.audit(user, "release_guard", label, verdict.allowed, f"{verdict.rule}: {verdict.message}")
    if not verdict.allowed:
        raise DisclosureRefused(verdict.rule, verdict.message)
    published = p.now().isoformat(timespec="seconds").replace("+00:00", "Z")
    with p.write() as conn:
        if epsilon is None:
            release, verdict = _exact(p, conn, finding, audience, published, user)
        else:
            release, verdict = _private(p, conn, finding, audience, published, user, epsilon)
        store.append_audit(conn, p.ring, user, "release", label, release is not None,
                           f"{verdict.rule}: {verdict.message}")  # fmt: skip
    if release is None:
        raise DisclosureRefused(verdict.rule, verdict.message)
    return release


def _exact(
    p: Platform, conn: sa.Connection, f: Finding, audience: str, published: str, user: str
) -> tuple[Release | None, Verdict]:
    """The exact release, if the ledger allows it; with the country share only if the ledger
    allows its denominator too."""
    stats = finding_statistics(f)
    verdict = ledger.admit(p, conn, stats)
    if not verdict.allowed:
        return None, verdict
    share = _country_share(p, f)
    if share is not None and ledger.admit(p, conn, both := finding_statistics(f, True)).allowed:
        stats = both
    else:
        share = None
    release = finding_release(f, audience, published, country_share=share)
    store.add_release(conn, p.ring, release, frozenset(f.contributions), user)
    ledger.record(p, conn, user, "release", f"release/{release.id}", stats,
                  {"n_firms": release.n_firms, "mean_input_share": release.mean_input_share,
                   "country_share": share})  # fmt: skip
    return release, verdict


def _private(
    p: Platform,
    conn: sa.Connection,
    f: Finding,
    audience: str,
    published: str,
    user: str,
    epsilon: float,
) -> tuple[Release | None, Verdict]:
    """The differentially private release, if every contributing firm's budget allows it. It
    adds nothing exact to the ledger (its numbers are noised), but is recorded there."""
    noisy = noisy_mean(list(f.contributions.values()), epsilon)
    left = store.spend_privacy(conn, frozenset(f.contributions), round(noisy.epsilon, 6),
                               p.settings.dp_budget)  # fmt: skip
    if left is None:
        return None, Verdict(False, "privacy_budget", "the privacy budget of a firm whose data "
                             "this uses is spent")  # fmt: skip
    privacy = Privacy(round(noisy.epsilon, 6), "Laplace (OpenDP)", round(left, 6))
    release = finding_release(f, audience, published, n_firms=noisy.count, share=noisy.mean,
                              privacy=privacy)  # fmt: skip
    store.add_release(conn, p.ring, release, frozenset(f.contributions), user)
    ledger.record(p, conn, user, "release", f"release/{release.id}", (),
                  {"n_firms": release.n_firms, "mean_input_share": release.mean_input_share,
                   "epsilon": privacy.epsilon})  # fmt: skip
    return release, Verdict(True, "ok", "differentially private")


def alerts(p: Platform, caller: Caller) -> list[Release]:
    """Released alerts for the caller: public ones, and more when their firm shares its data."""
    s = caller.subject
    p.authorise(s, "read", Resource("release", Classification.PUBLIC, audience="public"), "alerts")
    return p.releases_for(s)


def alerts_stix(p: Platform, caller: Caller) -> str:
    """The caller's alerts as a STIX 2.1 bundle (JSON text) with TLP 2.0 markings."""
    return alert_bundle(alerts(p, caller))


def alerts_misp(p: Platform, caller: Caller) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The caller's alerts as a MISP feed: the manifest and the event files by uuid."""
    return misp_feed(alerts(p, caller))


def readable_audiences(p: Platform, caller: Caller) -> list[str]:
    """The release audiences the caller may read: ``public``, ``all_firms``, their sector's,
    and every audience of a release the policy lets them read (analysts: every sector's)."""
    s = caller.subject
    own = ["public", "all_firms"] + ([f"sector:{s.sector}"] if s.sector else [])
    candidates = list(dict.fromkeys([*own, *sorted({r.audience for r in p.releases_for(s)})]))
    now = p.now()
    allowed = [
        a
        for a in candidates
        if is_allowed(s, "read", Resource("release", Classification.SHARED, audience=a), now)
    ]
    p.audit(s.user, "read", "taxii collections", True, f"{len(allowed)} audiences")
    return allowed
