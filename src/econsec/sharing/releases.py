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
    "AREAS_JA",
    "CHANNELS_JA",
    "FINDINGS_METHOD",
    "TITLES",
    "TITLES_JA",
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
TITLES_JA = {
    "shared_supplier": "多くの企業が同じ調達先に依存しています",
    "single_source_cluster": "多くの企業が同じ調達先から単一調達しています",
    "hidden_tier2_overlap": "多くの企業に共通する隠れた二次調達先",
    "shared_country": "多くの企業がこの品目を同じ国から調達しています",
}
#: Technology areas and outflow channels, in Japanese (their codes stay beside them).
AREAS_JA = {
    "semiconductors": "半導体",
    "ai": "人工知能",
    "quantum": "量子",
    "space": "宇宙",
    "fusion": "核融合",
    "materials": "先端素材",
    "biotech": "バイオ",
    "other": "その他",
}
CHANNELS_JA = {"hiring_away": "人材の引き抜き", "joint_research": "共同研究",
               "acquisition": "買収", "cyber_theft": "サイバー窃取",
               "licensing": "技術ライセンス", "other": "その他"}  # fmt: skip


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
    title_ja: str = ""
    text_ja: str = ""


def _text(
    f: Finding, n_firms: int, share: float, country_share: float | None, noised: bool
) -> tuple[str, str]:
    """The alert's sentence in English and Japanese; with differential privacy only the noised
    numbers, and no exact count such as the number of sectors."""
    en = ja = ""
    if country_share is not None:
        en = f" It supplies {country_share:.0%} of these firms' reported sourcing."
        ja = f"この国はこれらの企業が報告した調達の{country_share:.0%}を占めます。"
    firms_en = (
        f"About {n_firms} participating firms (with differential privacy)"
        if noised
        else f"{n_firms} participating firms in {len(f.sectors)} sector(s)"
    )
    firms_ja = (
        f"約{n_firms}社の参加企業（差分プライバシー適用）"
        if noised
        else f"{len(f.sectors)}業種の参加企業{n_firms}社"
    )
    return (
        f"{firms_en} report {f.subject} for HS {f.product}, at a mean input share of "
        f"{share:.0%}.{en} Review your exposure and alternatives.",
        f"{firms_ja}が、HS {f.product} の調達先として {f.subject} を報告しています（平均調達"
        f"比率 {share:.0%}）。{ja}自社の依存状況と代替策をご確認ください。",
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
    text, text_ja = _text(f, n, mean, None if privacy else country_share, privacy is not None)
    return Release(
        id=str(uuid.uuid4()),
        finding_id=f.id,
        kind=f.kind,
        title=TITLES[f.kind],
        text=text,
        text_ja=text_ja,
        title_ja=TITLES_JA[f.kind],
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


def preview_text(f: Finding, country_share: float | None = None) -> tuple[str, str]:
    """The text a release of ``f`` would carry.

    Parameters
    ----------
    f : Finding
        The finding.
    country_share : float, optional
        As in :func:`finding_release`.

    Returns
    -------
    (str, str)
        The text in English and in Japanese.

    Examples
    --------
    >>> from econsec.access.policy import Classification
    >>> from econsec.sharing.findings import Finding
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN",
    ...             {"a": 0.2, "b": 0.4}, ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> en, ja = preview_text(f)
    >>> en  # doctest: +ELLIPSIS
    '2 participating firms in 1 sector(s) report Acme (CHN) for HS 811292, at a mean ... of 30%...'
    >>> ja  # doctest: +ELLIPSIS
    '1業種の参加企業2社が、HS 811292 の調達先として Acme (CHN) を報告しています（平均調達比率 30%）...'
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
    >>> cell = OutflowCell("ai", "hiring_away", 6, 5, 3.5, 5, True, "ok", dict.fromkeys("abcde", 3))
    >>> r = outflow_release(cell, "all_firms", "2026-12-01T00:00:00Z")
    >>> r.title, r.n_firms, r.country
    ('Technology outflow: hiring away in ai', 5, None)
    >>> r.title_ja
    '技術流出：人工知能（ai）における人材の引き抜き'
    """
    channel = cell.channel.replace("_", " ")
    area_ja = AREAS_JA.get(cell.area, cell.area)
    channel_ja = CHANNELS_JA.get(cell.channel, cell.channel)
    return Release(
        id=str(uuid.uuid4()),
        finding_id=f"outflow:{cell.area}:{cell.channel}"[:32],
        kind="outflow",
        title=f"Technology outflow: {channel} in {cell.area}",
        text=f"{cell.n_firms} participating firms report {channel} concerns in {cell.area} "
        f"(mean severity {cell.mean_severity} of 5). Review your protection of people, research "
        "and data in this area.",
        title_ja=f"技術流出：{area_ja}（{cell.area}）における{channel_ja}",
        text_ja=f"参加企業{cell.n_firms}社が、{area_ja}（{cell.area}）分野で{channel_ja}"
        f"（{cell.channel}）の懸念を報告しています（平均深刻度 {cell.mean_severity}／5）。この分野"
        "の人材・研究・データの保護をご確認ください。",
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
