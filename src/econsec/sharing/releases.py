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

from econsec.i18n import N_, tr
from econsec.sharing.exchange import tlp_of
from econsec.sharing.findings import Finding
from econsec.sharing.ledger import Statistic, statistic
from econsec.sharing.outflow import METHOD as OUTFLOW_METHOD
from econsec.sharing.outflow import OutflowCell

__all__ = [
    "AREAS",
    "CHANNELS",
    "FINDINGS_METHOD",
    "TITLES",
    "Privacy",
    "Release",
    "finding_release",
    "finding_statistics",
    "outflow_release",
    "preview_text",
    "release_from_json",
    "wording",
]

FINDINGS_METHOD = (
    "econsec mash-up 2 (entity resolution: identifiers given by two firms, leader clusters of "
    "RapidFuzz similarity >= 90 within blocks)"
)
#: Titles of finding releases (each is in the catalogue: econsec.web.vocabulary).
TITLES = {
    "shared_supplier": "Many firms depend on one supplier",
    "single_source_cluster": "Many firms single-source from one supplier",
    "hidden_tier2_overlap": "A hidden tier-2 supplier shared by many firms",
    "shared_country": "Many firms source this product from one country",
    "shared_vendor": "Many infrastructure operators rely on one vendor",
}
#: Technology areas and outflow channels by name (their codes stay beside them).
AREAS = {
    "semiconductors": N_("semiconductors"),
    "ai": N_("artificial intelligence"),
    "quantum": N_("quantum technology"),
    "space": N_("space"),
    "fusion": N_("fusion"),
    "materials": N_("advanced materials"),
    "biotech": N_("biotechnology"),
    "other": N_("other technologies"),
}
CHANNELS = {
    "hiring_away": N_("hiring away"),
    "joint_research": N_("joint research"),
    "acquisition": N_("acquisition"),
    "cyber_theft": N_("cyber theft"),
    "licensing": N_("licensing"),
    "other": N_("other channels"),
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
    n_sectors: int | None = None
    country_share: float | None = None


def _product(code: str, lang: str) -> str:
    """``HS code (name)``: in Japanese the critical group's name, which the WCO does not
    publish for every code (so a code with no group stands alone)."""
    from econsec.reference.names import critical_group, product_name

    name = critical_group(code, lang) if lang == "ja" else product_name(code, lang)
    if len(name) > 40:
        name = name[:40].rstrip() + "…"
    return tr("HS {code} ({name})", lang, code=code, name=name) if name else f"HS {code}"


def wording(r: Release, lang: str = "en") -> tuple[str, str]:
    """The title and text of a release in ``lang``, from its numbers (not stored sentences):
    with differential privacy only the noised numbers, and no exact count such as the number
    of sectors.

    Parameters
    ----------
    r : Release
        The release.
    lang : str
        ``en`` or ``ja``.

    Returns
    -------
    (str, str)

    Examples
    --------
    >>> from econsec.access.policy import Classification
    >>> f = Finding("f1", "shared_supplier", "Acme (CHN)", "811292", "CHN", {"a": 0.2, "b": 0.4},
    ...             ("C29",), Classification.RESTRICTED, "critical_minerals")
    >>> r = finding_release(f, "all_firms", "2026-12-01T00:00:00Z")
    >>> wording(r, "ja")[1]  # doctest: +ELLIPSIS
    '1業種の参加企業2社が、HS 811292（ガリウム・ゲルマニウム）の調達先として Acme (CHN) を報告...'
    """
    gap = "" if lang == "ja" else " "
    if r.kind == "outflow":
        area = tr("{name} ({code})", lang, name=tr(AREAS.get(r.area or "", r.area or ""), lang),
                  code=r.area)  # fmt: skip
        channel = tr(CHANNELS.get(r.channel or "", r.channel or ""), lang)
        return (tr("Technology outflow: {channel} in {area}", lang, channel=channel, area=area),
                gap.join((tr("{n} participating firms report {channel} concerns in {area} "
                             "(mean severity {severity} of 5).", lang, n=r.n_firms,
                             channel=channel, area=area, severity=r.mean_severity),
                          tr("Review your protection of people, research and data in this "
                             "area.", lang))))  # fmt: skip
    if r.kind == "shared_vendor":
        if r.privacy is not None:
            who = tr("About {n} operators of essential infrastructure (with differential privacy)",
                     lang, n=r.n_firms)  # fmt: skip
        else:
            who = tr("{n} operators of essential infrastructure in {sectors} sector(s)", lang,
                     n=r.n_firms, sectors=r.n_sectors or 0)  # fmt: skip
        return tr(TITLES[r.kind], lang), gap.join((
            tr("{who} name {subject} in their equipment plans, for a mean {share} of the "
               "components they file.", lang, who=who, subject=r.subject,
               share=f"{r.mean_input_share or 0:.0%}"),
            tr("Review your reliance on this vendor and its maintenance.", lang)))  # fmt: skip
    if r.privacy is not None:
        firms = tr("About {n} participating firms (with differential privacy)", lang, n=r.n_firms)
    elif r.n_sectors is not None:
        firms = tr("{n} participating firms in {sectors} sector(s)", lang, n=r.n_firms,
                   sectors=r.n_sectors)  # fmt: skip
    else:  # a release stored before sector counts were kept
        firms = tr("{n} participating firms", lang, n=r.n_firms)
    sentences = [tr("{firms} report {subject} for {product}, at a mean input share of {share}.",
                    lang, firms=firms, subject=r.subject, product=_product(r.product or "", lang),
                    share=f"{r.mean_input_share or 0:.0%}")]  # fmt: skip
    if r.country_share is not None and r.privacy is None:
        sentences.append(tr("It supplies {share} of these firms' reported sourcing.", lang,
                            share=f"{r.country_share:.0%}"))  # fmt: skip
    sentences.append(tr("Review your exposure and alternatives.", lang))
    return tr(TITLES[r.kind], lang), gap.join(sentences)


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
    release = Release(
        id=str(uuid.uuid4()),
        finding_id=f.id,
        kind=f.kind,
        title="",
        text="",
        subject=f.subject,
        supplier=f.subject if f.kind != "shared_country" else None,
        product=f.product or None,
        country=f.country,
        n_firms=n,
        audience=audience,
        tlp=tlp_of(audience),
        published=published,
        method=FINDINGS_METHOD,
        mean_input_share=round(f.mean_share if share is None else share, 3),
        privacy=privacy,
        n_sectors=None if privacy else len(f.sectors),
        country_share=None if privacy or country_share is None else round(country_share, 3),
    )
    title, text = wording(release, "en")
    return replace(release, title=title, text=text)


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
    # operators' plans carry no product: their share of components is audited per vendor
    measure = f"input_share:{f.product}" if f.product else f"component_share:{f.id}"
    return [statistic(measure, c, high=1.0 if max(c.values()) <= 1 else math.inf) for c in cells]


def preview_text(f: Finding, country_share: float | None = None, lang: str = "en") -> str:
    """The text a release of ``f`` would carry, in ``lang``.

    Parameters
    ----------
    f : Finding
        The finding.
    country_share : float, optional
        As in :func:`finding_release`.
    lang : str
        ``en`` or ``ja``.

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
    '2 participating firms in 1 sector(s) report Acme (CHN) for HS 811292 (Gallium, ...), at a...'
    """
    return wording(finding_release(f, "", "", country_share=country_share), lang)[1]


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
    ('Technology outflow: hiring away in artificial intelligence (ai)', 5, None)
    >>> wording(r, "ja")[0]
    '技術流出：人工知能（ai）における人材の引き抜き'
    """
    release = Release(
        id=str(uuid.uuid4()),
        finding_id=f"outflow:{cell.area}:{cell.channel}"[:32],
        kind="outflow",
        title="",
        text="",
        subject=f"{cell.area} / {cell.channel.replace('_', ' ')}",
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
    title, text = wording(release, "en")
    return replace(release, title=title, text=text)


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
