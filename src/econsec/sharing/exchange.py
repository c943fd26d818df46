"""Released alerts as STIX 2.1 bundles with the TLP 2.0 marking definitions.

Each alert becomes a STIX ``report`` that refers to what it is about — a ``location`` for a
country, an ``identity`` (organisation) for a supplier — marked with the official TLP 2.0 marking
definition of its audience (the STIX 2.1 TLP 2.0 extension; the ``stix2`` library ships only the
TLP 1.0 constants, so the definitions are built here with their fixed ids):

* ``public`` → TLP:CLEAR; ``all_firms`` → TLP:GREEN; ``sector:CODE`` → TLP:AMBER.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "MISP_DISTRIBUTION",
    "SHAREABLE",
    "TLP2",
    "TLP2_EXTENSION",
    "TLP_BY_MARKING",
    "Alert",
    "PartnerItem",
    "alert_bundle",
    "misp_feed",
    "partner_items",
    "stix_id",
    "tlp_of",
]

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def stix_id(kind: str, key: str) -> str:
    """A STIX identifier for an object of ``kind`` about ``key``: a version 4 UUID (as STIX 2.1
    asks of domain objects) whose 122 free bits are the start of the SHA-256 of the key, so
    that the same alert, country or supplier has the same id in every bundle and every TAXII
    response, with nothing to store.

    Parameters
    ----------
    kind : str
        The STIX type (``report``, ``identity``, ``location``).
    key : str
        What the object stands for, e.g. ``alert:<release id>``.

    Returns
    -------
    str

    Examples
    --------
    >>> i = stix_id("report", "alert:a1")
    >>> i == stix_id("report", "alert:a1"), uuid.UUID(i.split("--")[1]).version
    (True, 4)
    """
    import hashlib

    digest = hashlib.sha256(f"econsec:{kind}:{key}".encode()).digest()[:16]
    return f"{kind}--{uuid.UUID(bytes=digest, version=4)}"


class Alert(Protocol):
    """What a STIX report is made from (a :class:`econsec.sharing.releases.Release`)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def published(self) -> str: ...
    @property
    def audience(self) -> str: ...
    @property
    def country(self) -> str | None: ...
    @property
    def supplier(self) -> str | None: ...


def tlp_of(audience: str) -> str:
    """The TLP 2.0 level of a release audience.

    Parameters
    ----------
    audience : str
        ``public``, ``all_firms`` or ``sector:CODE``.

    Returns
    -------
    str
        ``clear``, ``green`` or ``amber``.

    Examples
    --------
    >>> tlp_of("public"), tlp_of("all_firms"), tlp_of("sector:C26")
    ('clear', 'green', 'amber')
    """
    return {"public": "clear", "all_firms": "green"}.get(audience, "amber")


def _marking(level: str) -> Any:
    import stix2

    return stix2.v21.MarkingDefinition(
        id=TLP2[level],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{level.upper()}",
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


def alert_bundle(alerts: Sequence[Alert], publisher: str = "econsec") -> str:
    """A STIX 2.1 bundle (JSON text) of released alerts: a report each, referring to the
    alert's country (a location) and supplier (an identity) when it has them, marked with the
    official TLP 2.0 marking definition of its audience.

    Parameters
    ----------
    alerts : sequence of Alert
        Released alerts (:class:`econsec.sharing.releases.Release`).
    publisher : str
        The identity that publishes them.

    Returns
    -------
    str
        The bundle's JSON.

    Examples
    --------
    >>> import json
    >>> from econsec.sharing.releases import Release
    >>> alert = Release("a1", "f1", "shared_supplier", "Many firms depend on one supplier",
    ...                 "…", "Acme (CHN)", "Acme", "811292", "CHN", 5, "all_firms", "green",
    ...                 "2026-11-27T00:00:00Z", "example")
    >>> sorted(o["type"] for o in json.loads(alert_bundle([alert]))["objects"])
    ['identity', 'identity', 'location', 'marking-definition', 'report']

    References
    ----------
    OASIS STIX 2.1; FIRST TLP 2.0 and its STIX 2.1 extension.
    """
    import stix2

    from econsec.reference.countries import country

    source = stix2.v21.Identity(
        id=stix_id("identity", f"publisher:{publisher}"),
        name=publisher,
        identity_class="organization",
        created="2026-01-01T00:00:00Z",
        modified="2026-01-01T00:00:00Z",
    )
    objects: dict[str, Any] = {source.id: source}
    for alert in alerts:
        marking = _marking(tlp_of(alert.audience))
        objects[marking.id] = marking
        about = []
        if alert.country:
            c = country(alert.country)
            about.append(
                stix2.v21.Location(
                    id=stix_id("location", f"country:{c.alpha3}"),
                    name=c.name,
                    country=c.alpha2,
                    created_by_ref=source.id,
                    created="2026-01-01T00:00:00Z",
                    modified="2026-01-01T00:00:00Z",
                )
            )
        if alert.supplier:
            about.append(
                stix2.v21.Identity(
                    id=stix_id("identity", f"supplier:{alert.supplier}"),
                    name=alert.supplier,
                    identity_class="organization",
                    created_by_ref=source.id,
                    created="2026-01-01T00:00:00Z",
                    modified="2026-01-01T00:00:00Z",
                )
            )
        for obj in about:
            objects.setdefault(obj.id, obj)
        report = stix2.v21.Report(
            id=stix_id("report", f"alert:{alert.id}"),
            name=alert.title,
            description=alert.text,
            published=alert.published,
            created=alert.published,
            modified=alert.published,
            report_types=["threat-report"],
            labels=["economic-security", "supply-chain"],
            object_refs=[obj.id for obj in about] or [source.id],  # STIX needs one at least
            object_marking_refs=[marking.id],
            created_by_ref=source.id,
        )
        objects[report.id] = report
    bundle = stix2.v21.Bundle(objects=list(objects.values()))
    return str(bundle.serialize(sort_keys=True))


#: TLP levels by the id of their marking definition: TLP 2.0's and the TLP 1.0 ones the
#: ``stix2`` library ships (WHITE reads as CLEAR).
TLP_BY_MARKING = {v: k for k, v in TLP2.items()} | {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
#: The TLP levels whose information may go to the whole community (the others stay with the
#: organisation that received them, or its named recipients).
SHAREABLE = ("clear", "green")


@dataclass(frozen=True, slots=True)
class PartnerItem:
    """A partner's report or indicator as a candidate for the incident register."""

    stix_id: str
    type: str
    name: str
    description: str
    tlp: str  # clear, green, amber, amber+strict or red ("amber" when unmarked: careful)
    countries: tuple[str, ...]
    published: str


def partner_items(objects: Sequence[dict[str, Any]]) -> list[PartnerItem]:
    """The reports and indicators among a partner's STIX objects, with their TLP level and the
    countries (locations) they refer to.

    An object without a TLP marking is read as TLP:AMBER: its sharing was not stated, so it
    stays with the organisation.

    Parameters
    ----------
    objects : sequence of dict
        STIX 2.1 objects (a TAXII envelope's ``objects``).

    Returns
    -------
    list of PartnerItem

    Examples
    --------
    >>> import json
    >>> from econsec.sharing.releases import Release
    >>> alert = Release("a1", "f1", "shared_supplier", "Many firms depend on one supplier",
    ...                 "5 firms ...", "Acme (CHN)", "Acme", "811292", "CHN", 5, "all_firms",
    ...                 "green", "2026-11-27T00:00:00Z", "example")
    >>> (item,) = partner_items(json.loads(alert_bundle([alert]))["objects"])
    >>> item.type, item.tlp, item.countries
    ('report', 'green', ('CHN',))
    """
    from econsec.errors import NotFoundError
    from econsec.reference.countries import to_alpha3

    by_id = {o.get("id"): o for o in objects}
    out = []
    for o in objects:
        if o.get("type") not in ("report", "indicator"):
            continue
        levels = [
            TLP_BY_MARKING[m] for m in o.get("object_marking_refs", []) if m in TLP_BY_MARKING
        ]
        order = ["clear", "green", "amber", "amber+strict", "red"]
        tlp = max(levels, key=order.index) if levels else "amber"
        countries = []
        for ref in o.get("object_refs", []):
            loc = by_id.get(ref, {})
            if loc.get("type") == "location" and loc.get("country"):
                try:
                    countries.append(to_alpha3(str(loc["country"])))
                except NotFoundError:
                    continue
        out.append(PartnerItem(
            stix_id=str(o["id"]), type=str(o["type"]), name=str(o.get("name", ""))[:300],
            description=str(o.get("description", ""))[:1000], tlp=tlp,
            countries=tuple(dict.fromkeys(countries)),
            published=str(o.get("published") or o.get("valid_from") or o.get("created", "")),
        ))  # fmt: skip
    return out


#: MISP's distribution level for each TLP level: your organisation only (AMBER), connected
#: communities (GREEN), all communities (CLEAR).
MISP_DISTRIBUTION = {"clear": 3, "green": 2, "amber": 0, "amber+strict": 0, "red": 0}


def misp_feed(
    alerts: Sequence[Alert], publisher: str = "econsec"
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Released alerts as a MISP feed: the ``manifest.json`` and one event file per alert
    (``<uuid>.json``), built with PyMISP, each event tagged with the TLP of its audience and
    distributed no wider than the TLP allows.

    Event and attribute ids are stable (:func:`stix_id`'s UUIDs), so a MISP instance that pulls
    the feed again updates its events instead of doubling them.

    Parameters
    ----------
    alerts : sequence of Alert
        Released alerts.
    publisher : str
        The organisation that publishes the feed.

    Returns
    -------
    (dict, dict of str to dict)
        The manifest, and each event file's content by event uuid.

    Examples
    --------
    >>> from econsec.sharing.releases import Release
    >>> alert = Release("a1", "f1", "shared_supplier", "Many firms depend on one supplier",
    ...                 "5 firms ...", "Acme (CHN)", "Acme", "811292", "CHN", 5, "all_firms",
    ...                 "green", "2026-11-27T00:00:00Z", "example")
    >>> manifest, events = misp_feed([alert])
    >>> (uuid_,) = manifest
    >>> [t["name"] for t in manifest[uuid_]["Tag"]], events[uuid_]["Event"]["info"]
    (['tlp:green', 'econsec:supply-chain'], 'Many firms depend on one supplier')
    """
    import datetime as dt

    from pymisp import MISPEvent, MISPOrganisation

    org = MISPOrganisation()
    org.name = publisher
    org.uuid = stix_id("identity", f"publisher:{publisher}").split("--")[1]
    manifest: dict[str, Any] = {}
    events: dict[str, dict[str, Any]] = {}
    for alert in alerts:
        level = tlp_of(alert.audience)
        published = dt.datetime.fromisoformat(alert.published.replace("Z", "+00:00"))
        event = MISPEvent()
        event.uuid = stix_id("report", f"alert:{alert.id}").split("--")[1]
        event.info = alert.title or "econsec alert"
        event.date = published.date()
        event.timestamp = published
        event.publish_timestamp = published
        event.published = True
        event.analysis = 2  # completed
        event.threat_level_id = 4  # undefined: a dependency, not a threat actor
        event.distribution = MISP_DISTRIBUTION[level]
        event.Orgc = org
        event.add_tag(f"tlp:{level}")
        event.add_tag("econsec:supply-chain")
        facts = [("text", alert.text, "alert"), ("text", alert.audience, "audience")]
        facts += [("text", alert.country, "country (ISO 3166 alpha-3)")] if alert.country else []
        facts += [("text", alert.supplier, "supplier")] if alert.supplier else []
        for n, (kind, value, comment) in enumerate(facts):
            attribute: Any = event.add_attribute(kind, value, comment=comment, to_ids=False)
            attribute.uuid = stix_id("note", f"alert:{alert.id}:{n}").split("--")[1]
            attribute.timestamp = published
            attribute.distribution = 5  # as the event
        feed = event.to_feed(with_meta=True, with_distribution=True)
        manifest.update(feed["Event"].pop("_manifest"))
        feed["Event"].pop("_hashes", None)
        events[event.uuid] = feed
    return manifest, events
