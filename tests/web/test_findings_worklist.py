"""The cleared analyst's findings as a worklist: most severe first, grouped by supplier,
filtered, paged, and the disclosure guard's verdict shown before any release is composed."""

from __future__ import annotations

import re

from web.conftest import Site, sign_in


def _severities(html: str) -> list[float]:
    return [float(x) for x in re.findall(r'<td class="num">(\d+\.\d\d)</td>', html)]


def test_the_worklist_is_sorted_filtered_and_shows_the_guard_verdict(site: Site) -> None:
    c = site.client()
    sign_in(c, "analyst")
    page = c.get("/console/findings").text
    assert "Severity = firms affected" in page
    severities = _severities(page)
    assert severities and severities[0] == max(severities)
    assert 'scope="rowgroup"' in page  # grouped by supplier
    assert "firms depend on" in page or "firms source" in page  # plain-language subjects
    releasable = c.get("/console/findings", params={"releasable": "yes"}).text
    withheld = c.get("/console/findings", params={"releasable": "no"}).text
    assert "withheld" not in releasable.split("<table")[-1]
    assert "releasable</span>" not in withheld.split("<table")[-1]
    # every finding the list calls releasable passes the guard when composed (the release
    # ledger, which audits it against every earlier release, may still refuse)
    ids = re.findall(r'href="/console/findings/([0-9a-f]+)/release"', releasable)
    assert ids
    for finding in ids[:3]:
        compose = c.get(f"/console/findings/{finding}/release").text
        refused = re.search(r"refuses this release.*?<code>(\w+)</code>", compose, re.S)
        assert refused is None or refused.group(1) in ("exact", "interval", "complexity")
    only = c.get("/console/findings", params={"kind": "shared_country"}).text
    assert "firms depend on" not in only
    csv = c.get("/console/findings.csv", params={"releasable": "yes"})
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbfid,kind,subject")
    lines = csv.content.decode("utf-8-sig").strip().split("\r\n")[1:]
    assert lines and all(",True," in line for line in lines)
    japanese = c.get("/console/findings", headers={"Accept-Language": "ja"}).text
    assert "深刻度" in japanese and "社が" in japanese


def test_severity_orders_more_firms_and_single_sources_first() -> None:
    from econsec.sharing.findings import SupplierLink, find
    from econsec.sharing.records import SupplierRecord

    def rec(name: str, share: float, single: bool) -> SupplierRecord:
        return SupplierRecord(name, "TWN", "854231", 1, share, single, 30)

    links = [SupplierLink(f, "C26", rec("Chipco", 0.5, True)) for f in "ABC"]
    links += [SupplierLink(f, "C26", rec("Waferco", 0.5, False)) for f in "DE"]
    findings = {(f.kind, f.subject): f.severity for f in find(links)}
    # 3 firms × 0.5 × (1 + 1) × 2 (semiconductors are critical) = 6; 2 × 0.5 × 1 × 2 = 2
    assert findings[("single_source_cluster", "Chipco (TWN)")] == 6.0
    assert findings[("shared_supplier", "Waferco (TWN)")] == 2.0
