"""Partners' alerts in: poll a partner's TAXII 2.1 collection and bring its reports and
indicators into the incident register as candidates (``unassessed``), with their source and
TLP marking.

The poll is incremental: the workspace remembers, per server and collection, the last
``date_added`` seen, and the next poll asks only for what was added after it. TLP decides what
is kept and how: TLP:RED is for named recipients only and is not stored; TLP:AMBER (and an
unmarked object) is kept for the organisation, marked in its sources, and left out of every
export of the register; TLP:CLEAR and GREEN may go to the community.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from econsec.app.platform import Platform
from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_
from econsec.intelligence.incidents import Incident, load
from econsec.sharing.exchange import PartnerItem, partner_items
from econsec.storage.intelligence import put_incidents
from econsec.storage.workspace import Workspace

__all__ = ["TLP_SOURCE", "PullResult", "candidate", "pull", "withheld_by_tlp"]

#: How an incident's sources name its TLP marking.
TLP_SOURCE = "TLP:"


@dataclass(frozen=True, slots=True)
class PullResult:
    """What a poll brought: candidates stored, objects seen, TLP:RED items not stored, and the
    ``date_added`` the next poll starts after."""

    url: str
    collection: str
    stored: int
    seen: int
    red_not_stored: int
    without_country: int  # items naming no country: the register needs the implementing one
    added_after: str | None
    last_added: str | None


def candidate(item: PartnerItem, url: str, collection: str) -> Incident:
    """A partner's item as an unassessed incident of the register (stable id per item)."""
    day = None
    try:
        day = dt.date.fromisoformat(item.published[:10]) if item.published else None
    except ValueError:
        day = None
    return Incident(
        id=f"taxii-{item.stix_id.split('--')[-1][:28]}",
        title=f"[partner {item.type}] {item.name}"[:300] or "[partner report]",
        implementing=item.countries,
        affected=(),
        products=(),
        flow="both",
        family="goods",
        pretext="none",
        announced=day,
        implemented=None,
        removed=None,
        in_force=False,
        assessment="unassessed",
        sources=(
            f"{TLP_SOURCE}{item.tlp.upper()}",
            f"TAXII {url} collection {collection}"[:500],
            item.stix_id,
            item.description[:400],
        ),
    )


def withheld_by_tlp(incident: Incident) -> bool:
    """True for an incident whose TLP marking keeps it within the organisation (AMBER)."""
    marks = [s[len(TLP_SOURCE) :].lower() for s in incident.sources if s.startswith(TLP_SOURCE)]
    return any(m not in ("clear", "green") for m in marks)


def _state(ws: Workspace, url: str, collection: str) -> Any:
    key = hashlib.sha256(f"{url}|{collection}".encode()).hexdigest()[:16]
    return ws.path("exchange", f"{key}.json")


def pull(
    p: Platform, ws: Workspace, url: str, collection: str, *,
    user: str | None = None, password: str | None = None, token: str | None = None,
    since: str | None = None,
) -> PullResult:  # fmt: skip
    """Poll ``collection`` of the TAXII 2.1 server at ``url`` (its discovery address) for what
    was added after the last poll (or ``since``), and store the reports and indicators as
    candidates in the register (see the module docstring for TLP).

    Raises
    ------
    NotFoundError
        When the server has no readable collection of that id.
    InputError
        For a ``since`` that is not a timestamp, or a server that does not answer TAXII 2.1.
    """
    import requests
    from taxii2client.v21 import Server, as_pages

    state = _state(ws, url, collection)
    after = since
    if after is None and state.exists():
        after = json.loads(state.read_text("utf-8")).get("last_added")
    if after is not None:
        try:
            dt.datetime.fromisoformat(after.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"since {after!r}", expected=N_("an ISO timestamp")) from None

    class _Bearer(requests.auth.AuthBase):
        def __call__(self, r: Any) -> Any:
            r.headers["Authorization"] = f"Bearer {token}"
            return r

    auth: dict[str, Any] = {"auth": _Bearer()} if token else {"user": user, "password": password}
    try:
        server = Server(url, **auth)
        found = [c for root in server.api_roots for c in root.collections if c.id == collection]
    except requests.RequestException as exc:
        raise InputError(f"{url}: {exc}", expected=N_("a TAXII 2.1 server you may read")) from None
    if not found:
        raise NotFoundError(f"no collection {collection!r} you may read at {url}")
    filters = {"added_after": after} if after else {}
    objects: list[dict[str, Any]] = []
    last = after
    for page in as_pages(found[0].get_objects, per_request=500, **filters):
        objects += page.get("objects", [])
    manifest = found[0].get_manifest(**filters).get("objects", [])
    if manifest:
        last = max(m["date_added"] for m in manifest)
    items = partner_items(objects)
    red = [i for i in items if i.tlp == "red"]
    kept = [i for i in items if i.tlp != "red" and i.countries]
    incidents = (load([candidate(i, url, collection).as_dict() for i in kept], source=url)
                 if kept else [])  # fmt: skip
    with p.write() as conn:
        put_incidents(conn, incidents, "exchange")
    p.audit("exchange", "import_incidents", f"taxii {url} {collection}", True,
            f"{len(incidents)} candidates, {len(red)} TLP:RED not stored")  # fmt: skip
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp = state.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "collection": collection, "last_added": last}), "utf-8")
    os.replace(tmp, state)
    return PullResult(url, collection, len(incidents), len(objects), len(red),
                      len(items) - len(red) - len(kept), after, last)  # fmt: skip
