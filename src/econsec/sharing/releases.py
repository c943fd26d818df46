"""Released alerts: what leaves the cleared circle once the disclosure guard has allowed it.

A release is built from a cross-firm finding (:func:`finding_release`) or from a cell of
firms' outflow reports (:func:`outflow_release`); its numbers are those the guard checked (or
their differentially private versions). Releases are stored whole, with the sealed set of the
firms behind them, so that later releases can be checked against them.

>>> from econsec.access.policy import Classification
>>> r = finding_release(
...     Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN", {"a": 0.2, "b": 0.4},
...             ("C29",), Classification.RESTRICTED, "critical_minerals"),
...     "all_firms", "2026-12-01T00:00:00Z")
>>> r.title, r.n_firms, r.mean_input_share, r.tlp
('Many firms depend on one supplier', 2, 0.3, 'green')
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from econsec.sharing.exchange import tlp_of
from econsec.sharing.findings import Finding
from econsec.sharing.ledger import Statistic, statistic
from econsec.sharing.outflow import METHOD as OUTFLOW_METHOD
from econsec.sharing.outflow import OutflowCell

__all__ = [
    "FINDINGS_METHOD",
    "TITLES",
    "Privacy",
    "Release",
    "finding_release",
    "finding_statistics",
    "outflow_release",
    "preview_text",
    "release_from_json",
]

FINDINGS_METHOD = (
    "econsec mash-up 2 (entity resolution: identifiers given by two firms, leader clusters of "
    "RapidFuzz similarity >= 90 within blocks)"
)
TITLES = {
    "shared_supplier": "Many firms depend on one supplier",
    "single_source_cluster": "Many firms single-source from one supplier",
    "hidden_tier2_overlap": "A hidden tier-2 supplier shared by many firms",
    "shared_country": "Many firms source this product from one country",
}


@dataclass(frozen=True, slots=True)
class Privacy:
    """The differential privacy of a release: ε spent and the smallest budget left among the
    firms whose data it uses."""

    epsilon: float
    mechanism: str
    budget_remaining: float | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """A released alert, as its audience reads it. Finding releases carry the mean input share;
    outflow releases the area, channel and mean severity."""

    id: str
    finding_id: str
    kind: str
    title: str
    text: str
    subject: str
    supplier: str | None
    product: str | None
    country: str | None
    n_firms: int
    audience: str
    tlp: str
    published: str
    method: str
    mean_input_share: float | None = None
    privacy: Privacy | None = None
    area: str | None = None
    channel: str | None = None
    mean_severity: float | None = None


def _text(f: Finding, n_firms: int, share: float, country_share: float | None, noised: bool) -> str:
    """The alert's sentence; with differential privacy only the noised numbers, and no exact
    count such as the number of sectors."""
    extra = ""
    if country_share is not None:
        extra = f" It supplies {country_share:.0%} of these firms' reported sourcing."
    firms = (
        f"About {n_firms} participating firms (with differential privacy)"
        if noised
        else f"{n_firms} participating firms in {len(f.sectors)} sector(s)"
    )
    return (
        f"{firms} report {f.subject} for HS {f.product}, at a mean input share of {share:.0%}."
        f"{extra} Review your exposure and alternatives."
    )


def finding_release(
    f: Finding,
    audience: str,
    published: str,
    *,
    n_firms: int | None = None,
    share: float | None = None,
    privacy: Privacy | None = None,
    country_share: float | None = None,
) -> Release:
    """The release of a finding to an audience.

    Parameters
    ----------
    f : Finding
        The finding (the guard has allowed it).
    audience : str
        ``public``, ``all_firms`` or ``sector:CODE``.
    published : str
        The time of publication (ISO 8601).
    n_firms, share : int, float, optional
        The firm count and mean input share to publish instead of the finding's own (the
        differentially private ones).
    privacy : Privacy, optional
        The privacy of those; the text then states only those numbers (no sector count and no
        country share).
    country_share : float, optional
        A ``shared_country`` finding's share of all sourcing of the product, when the guard
        has passed the cell behind it (:attr:`Finding.denominator`); else not stated.

    Returns
    -------
    Release

    Examples
    --------
    >>> from econsec.access.policy import Classification
    >>> from econsec.sharing.findings import Finding
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN",
    ...             {"a": 0.2, "b": 0.4}, ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> r = finding_release(f, "sector:C29", "2026-12-01T00:00:00Z")
    >>> r.n_firms, r.mean_input_share, r.tlp, r.supplier
    (2, 0.3, 'amber', 'Acme (CHN)')
    """
    n = f.n_firms if n_firms is None else n_firms
    mean = round(f.mean_share if share is None else share, 3)
    return Release(
        id=str(uuid.uuid4()),
        finding_id=f.id,
        kind=f.kind,
        title=TITLES[f.kind],
        text=_text(f, n, mean, None if privacy else country_share, privacy is not None),
        subject=f.subject,
        supplier=f.subject if f.kind != "shared_country" else None,
        product=f.product,
        country=f.country,
        n_firms=n,
        audience=audience,
        tlp=tlp_of(audience),
        published=published,
        method=FINDINGS_METHOD,
        mean_input_share=mean,
        privacy=privacy,
    )


def finding_statistics(f: Finding, country_share: bool = False) -> list[Statistic]:
    """What releasing ``f`` discloses, as the release ledger sees it: the sum of its firms' input
    shares (measure ``input_share:<product>`` whatever the kind, supplier, country or entity id,
    so that findings of different kinds on the same numbers are audited together), and with a
    country share the sum behind its denominator (every firm's sourcing of the product).

    Parameters
    ----------
    f : Finding
        The finding to release.
    country_share : bool
        Whether the release states a ``shared_country`` finding's country share.

    Returns
    -------
    list of Statistic

    Examples
    --------
    >>> from econsec.access.policy import Classification
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN",
    ...             {"a": 0.2, "b": 0.4}, ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> [(s.measure, s.terms, s.high) for s in finding_statistics(f)]
    [('input_share:811292', (('a', 1.0, 0.2), ('b', 1.0, 0.4)), 1.0)]
    """
    cells = [f.contributions, f.denominator] if country_share else [f.contributions]
    return [
        statistic(f"input_share:{f.product}", c, high=1.0 if max(c.values()) <= 1 else math.inf)
        for c in cells
    ]


def preview_text(f: Finding, country_share: float | None = None) -> str:
    """The text a release of ``f`` would carry.

    Parameters
    ----------
    f : Finding
        The finding.
    country_share : float, optional
        As in :func:`finding_release`.

    Returns
    -------
    str

    Examples
    --------
    >>> from econsec.access.policy import Classification
    >>> from econsec.sharing.findings import Finding
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN",
    ...             {"a": 0.2, "b": 0.4}, ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> preview_text(f)  # doctest: +ELLIPSIS
    '2 participating firms in 1 sector(s) report Acme (CHN) for HS 811292, at a mean ... of 30%...'
    """
    return _text(f, f.n_firms, f.mean_share, country_share, noised=False)


def outflow_release(cell: OutflowCell, audience: str, published: str) -> Release:
    """The release of an outflow cell to an audience.

    Parameters
    ----------
    cell : OutflowCell
        The cell (the guard has allowed it).
    audience : str
        ``public``, ``all_firms`` or ``sector:CODE``.
    published : str
        The time of publication (ISO 8601).

    Returns
    -------
    Release

    Examples
    --------
    >>> cell = OutflowCell("ai", "hiring_away", 6, 5, 3.5, 5, True, "ok", frozenset("abcde"))
    >>> r = outflow_release(cell, "all_firms", "2026-12-01T00:00:00Z")
    >>> r.title, r.n_firms, r.country
    ('Technology outflow: hiring away in ai', 5, None)
    """
    channel = cell.channel.replace("_", " ")
    return Release(
        id=str(uuid.uuid4()),
        finding_id=f"outflow:{cell.area}:{cell.channel}"[:32],
        kind="outflow",
        title=f"Technology outflow: {channel} in {cell.area}",
        text=f"{cell.n_firms} participating firms report {channel} concerns in {cell.area} "
        f"(mean severity {cell.mean_severity} of 5). Review your protection of people, research "
        "and data in this area.",
        subject=f"{cell.area} / {channel}",
        supplier=None,
        product=None,
        country=None,
        n_firms=cell.n_firms,
        audience=audience,
        tlp=tlp_of(audience),
        published=published,
        method=OUTFLOW_METHOD,
        area=cell.area,
        channel=cell.channel,
        mean_severity=cell.mean_severity,
    )


def release_from_json(data: Mapping[str, Any]) -> Release:
    """A stored release back from its JSON object (older releases lack some fields).

    Parameters
    ----------
    data : mapping
        The release as stored (``dataclasses.asdict``).

    Returns
    -------
    Release

    Examples
    --------
    >>> import dataclasses
    >>> from econsec.access.policy import Classification
    >>> from econsec.sharing.findings import Finding
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN",
    ...             {"a": 0.2, "b": 0.4}, ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> r = finding_release(f, "all_firms", "2026-12-01T00:00:00Z")
    >>> release_from_json(dataclasses.asdict(r)) == r
    True
    """
    privacy = data.get("privacy")
    known = {k: v for k, v in data.items() if k in Release.__dataclass_fields__}
    release = Release(**known)
    return replace(release, privacy=Privacy(**privacy)) if privacy else release
