"""Findings, releases through the disclosure guard (with the attacks), alerts and benchmarks."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import sqlalchemy as sa
import stix2
from stix2validator import ValidationOptions, validate_string

from econsec.access.policy import Clearance
from econsec.app.sharing import publish_finding
from econsec.errors import InputError
from econsec.sharing.exchange import TLP2
from econsec.storage import platform as store
from econsec.storage.platform_db import privacy_budget
from service_world import World, supplier

SPELLINGS = [
    "Acme Gallium Co., Ltd.",
    "ACME GALLIUM",
    "Acme Gallium Corporation",
    "acme gallium ltd",
    "Acme  Gallium, Inc.",
    "ＡＣＭＥ ＧＡＬＬＩＵＭ",
    "Acme Galium Co Ltd",  # a typo: fuzzy matching
]


def _firms(world: World, n: int, shares: list[float] | None = None, sector: str = "C29") -> list:
    headers = []
    for i in range(n):
        h = world.firm(f"Firm{i}", sector)
        share = shares[i] if shares else 0.2 + 0.01 * i
        records = [supplier(SPELLINGS[i % len(SPELLINGS)], input_share=share)]
        r = world.client.post("/api/v1/submissions/suppliers", json=records, headers=h)
        assert r.status_code == 201, r.text
        headers.append(h)
    return headers


def _finding(world: World, analyst: dict, kind: str = "shared_supplier") -> dict:
    found = world.client.get("/api/v1/findings", headers=analyst)
    assert found.status_code == 200, found.text
    return next(f for f in found.json() if f["kind"] == kind)


def test_mash_up_resolves_spellings_and_finds_shared_supplier(world: World) -> None:
    _firms(world, 7)
    analyst = world.analyst()
    f = _finding(world, analyst)
    assert f["n_firms"] == 7 and f["product"] == "811292" and "Acme" in f["subject"].title()
    assert f["compartment"] == "critical_minerals"
    country = _finding(world, analyst, "shared_country")
    assert country["subject"] == "CHN" and country["country_share"] == 1.0
    assert _finding(world, analyst, "single_source_cluster")["n_firms"] == 7


def test_findings_need_clearance_and_compartment(world: World) -> None:
    firms = _firms(world, 6)
    world.client.post(
        "/api/v1/submissions/suppliers",
        json=[supplier("Acme Gallium", classification="CONFIDENTIAL")],
        headers=firms[0],
    )
    assert world.client.get("/api/v1/findings", headers=firms[1]).status_code == 403
    world.org("Gov", "government", None)
    plain = world.user("plain", "Gov", "analyst")
    assert world.client.get("/api/v1/findings", headers=plain).status_code == 403
    other = world.analyst(("semiconductors",))
    assert world.client.get("/api/v1/findings", headers=other).json() == []
    holder = world.analyst(("critical_minerals",))
    assert any(
        f["classification"] == "CONFIDENTIAL"
        for f in world.client.get("/api/v1/findings", headers=holder).json()
    )


def test_revoked_or_expired_clearance_stops_access_at_once(world: World) -> None:
    _firms(world, 5)
    analyst = world.analyst()
    assert world.client.get("/api/v1/findings", headers=analyst).status_code == 200
    username = "analyst-critical_minerals-general"
    with world.platform.engine.begin() as conn:
        store.set_clearance(
            conn,
            username,
            Clearance("top_secret", frozenset({"critical_minerals"}), dt.date.today(), "x", True),
        )
    assert world.client.get("/api/v1/findings", headers=analyst).status_code == 403
    with world.platform.engine.begin() as conn:
        yesterday = dt.date.today() - dt.timedelta(days=1)
        store.set_clearance(
            conn, username, Clearance("top_secret", frozenset({"critical_minerals"}), yesterday)
        )
    assert world.client.get("/api/v1/findings", headers=analyst).status_code == 403


def test_release_passes_guard_and_reaches_contributing_firms(world: World) -> None:
    firms = _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    r = world.client.post(
        "/api/v1/releases", json={"finding_id": f["id"], "audience": "all_firms"}, headers=analyst
    )
    assert r.status_code == 201, r.text
    alert = r.json()
    assert alert["n_firms"] == 6 and alert["tlp"] == "green"
    text = json.dumps(alert)
    assert "Firm" not in text and "u-Firm" not in text  # no contributor identities
    assert world.client.get("/api/v1/alerts", headers=firms[3]).json()[0]["id"] == alert["id"]
    outsider = world.firm("Outsider")  # no current submission: public alerts only
    assert world.client.get("/api/v1/alerts", headers=outsider).json() == []
    sector = _finding(world, analyst, "shared_country")
    world.client.post(
        "/api/v1/releases",
        json={"finding_id": sector["id"], "audience": "sector:C26"},
        headers=analyst,
    )
    assert len(world.client.get("/api/v1/alerts", headers=firms[0]).json()) == 1  # C29 firm
    public = world.client.post(
        "/api/v1/releases",
        json={"finding_id": f["id"], "audience": "public"},
        headers=analyst,
    )
    assert [a["id"] for a in world.client.get("/api/v1/alerts", headers=outsider).json()] == [
        public.json()["id"]
    ]


def test_guard_attack_four_firms(world: World) -> None:
    _firms(world, 4)
    analyst = world.analyst()
    f = _finding(world, analyst)
    r = world.client.post(
        "/api/v1/releases", json={"finding_id": f["id"], "audience": "all_firms"}, headers=analyst
    )
    assert r.status_code == 422 and r.json()["rule"] == "min_firms"
    assert "4" not in r.json()["detail"]  # the refusal does not disclose the count


def test_guard_attack_dominant_firm(world: World) -> None:
    _firms(world, 6, shares=[0.95, 0.9, 0.02, 0.02, 0.02, 0.02])
    analyst = world.analyst()
    f = _finding(world, analyst)
    r = world.client.post(
        "/api/v1/releases", json={"finding_id": f["id"], "audience": "all_firms"}, headers=analyst
    )
    assert r.status_code == 422 and r.json()["rule"] == "dominance"


def test_guard_attack_two_overlapping_releases(world: World) -> None:
    firms = _firms(world, 7)
    analyst = world.analyst()
    f = _finding(world, analyst)
    first = world.client.post(
        "/api/v1/releases", json={"finding_id": f["id"], "audience": "all_firms"}, headers=analyst
    )
    assert first.status_code == 201
    mine = world.client.get("/api/v1/submissions", headers=firms[6]).json()[0]["id"]
    world.client.post(f"/api/v1/submissions/{mine}/withdraw", headers=firms[6])
    f2 = _finding(world, analyst)  # the typo spelling left: the entity's id may change
    assert f2["n_firms"] == 6
    second = world.client.post(
        "/api/v1/releases", json={"finding_id": f2["id"], "audience": "all_firms"}, headers=analyst
    )
    assert second.status_code == 422 and second.json()["rule"] == "differencing"


def test_unknown_or_hidden_finding_is_404(world: World) -> None:
    world.client.post  # noqa: B018 - documents that no submission exists
    analyst = world.analyst()
    r = world.client.post(
        "/api/v1/releases",
        json={"finding_id": "deadbeef", "audience": "all_firms"},
        headers=analyst,
    )
    assert r.status_code == 404
    bad = world.client.post(
        "/api/v1/releases", json={"finding_id": "x", "audience": "everyone"}, headers=analyst
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "audience"


def test_stix_bundle_and_taxii_serve_each_audience_its_own(world: World) -> None:
    firms = _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    world.client.post(
        "/api/v1/releases", json={"finding_id": f["id"], "audience": "sector:C29"}, headers=analyst
    )
    text = world.client.get("/api/v1/alerts/stix", headers=firms[0]).text
    strict = validate_string(text, ValidationOptions(strict=True, version="2.1"))
    assert strict.is_valid, [str(e) for e in strict.errors]  # UUIDv4 ids, TLP 2.0 markings
    again = world.client.get("/api/v1/alerts/stix", headers=firms[0]).text
    assert {o["id"] for o in json.loads(again)["objects"]} == {
        o["id"] for o in json.loads(text)["objects"]
    }  # stable ids
    bundle = stix2.parse(text)
    reports = [o for o in bundle.objects if o.type == "report"]
    markings = {o.id: o for o in bundle.objects if o.type == "marking-definition"}
    assert len(reports) == 1 and reports[0].object_marking_refs == [TLP2["amber"]]
    assert markings[TLP2["amber"]].name == "TLP:AMBER"
    collections = world.client.get("/taxii2/api/collections/", headers=firms[0])
    assert collections.headers["content-type"].startswith("application/taxii+json")
    titles = {c["title"]: c["id"] for c in collections.json()["collections"]}
    sector_id = titles["econsec alerts for sector:C29"]
    objects = world.client.get(f"/taxii2/api/collections/{sector_id}/objects/", headers=firms[0])
    assert any(o["type"] == "report" for o in objects.json()["objects"])
    other = world.firm("Elsewhere", "C10")
    world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=other)
    mine = world.client.get("/taxii2/api/collections/", headers=other).json()["collections"]
    assert sector_id not in {c["id"] for c in mine}
    denied = world.client.get(f"/taxii2/api/collections/{sector_id}/objects/", headers=other)
    assert denied.status_code == 404


def test_benchmarks_for_contributing_firms(world: World) -> None:
    firms = _firms(world, 5)
    report = world.client.get("/api/v1/benchmarks", headers=firms[0]).json()
    assert report["status"] == "ok"
    assert report["metrics"]["top_country_share"]["own"] == 1.0
    assert report["metrics"]["inventory_days"]["sector_mean"] == 45.0
    lonely = world.firm("Lonely", "C10")
    assert world.client.get("/api/v1/benchmarks", headers=lonely).status_code == 403
    world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=lonely)
    thin = world.client.get("/api/v1/benchmarks", headers=lonely).json()
    assert thin["status"] == "insufficient data"
    assert thin["metrics"]["inventory_days"]["sector_mean"] is None


def test_differentially_private_release_spends_each_firms_lifetime_budget(world: World) -> None:
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    budget = world.platform.settings.dp_budget
    request = {"finding_id": f["id"], "audience": "all_firms", "epsilon": budget / 2}
    released = [world.client.post("/api/v1/releases", json=request, headers=analyst) for _ in "ab"]
    assert [r.status_code for r in released] == [201, 201]
    privacy = released[1].json()["privacy"]
    assert privacy["mechanism"] == "Laplace (OpenDP)" and privacy["budget_remaining"] < 1e-5
    assert 0 <= released[0].json()["mean_input_share"] <= 1
    spent = world.client.post("/api/v1/releases", json=request, headers=analyst)
    assert spent.status_code == 422 and spent.json()["rule"] == "privacy_budget"
    # Attack: a new audience was once a fresh budget over the same firms' data.
    other = world.client.post(
        "/api/v1/releases", json={**request, "audience": "sector:C29"}, headers=analyst
    )
    assert other.status_code == 422 and other.json()["rule"] == "privacy_budget"
    assert len(world.client.get("/api/v1/alerts", headers=world.login("u-Firm0")).json()) == 2


def test_a_private_release_states_only_noised_numbers(world: World) -> None:
    # Attack: read the exact numbers from the alert's sentence instead of its fields.
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    request = {"finding_id": f["id"], "audience": "all_firms", "epsilon": 1.0}
    r = world.client.post("/api/v1/releases", json=request, headers=analyst).json()
    assert r["text"].startswith(f"About {r['n_firms']} participating firms")
    assert f"mean input share of {r['mean_input_share']:.0%}" in r["text"]
    assert "sector" not in r["text"]
    alert = world.client.get("/api/v1/alerts", headers=world.login("u-Firm0")).json()[0]
    assert alert["text"] == r["text"] and alert["n_firms"] == r["n_firms"]
    # nor from the numbers the sentences are worded from, in any language
    assert r["n_sectors"] is None and r["country_share"] is None
    ja = world.client.get("/api/v1/alerts", params={"lang": "ja"},
                          headers=world.login("u-Firm0")).json()[0]  # fmt: skip
    assert ja["text"].startswith(f"約{r['n_firms']}社の参加企業（差分プライバシー適用）が、")
    assert f"平均調達比率 {r['mean_input_share']:.0%}" in ja["text"] and "業種" not in ja["text"]
    assert ja["title"] == "多くの企業が同じ調達先に依存しています"
    assert world.client.get("/api/v1/alerts", params={"lang": "xx"},
                            headers=world.login("u-Firm0")).status_code == 422  # fmt: skip


def test_an_exact_release_after_a_private_one_is_refused(world: World) -> None:
    # Attack: release with noise, then ask for the exact numbers the noise was hiding.
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    noisy = {"finding_id": f["id"], "audience": "all_firms", "epsilon": 0.5}
    assert world.client.post("/api/v1/releases", json=noisy, headers=analyst).status_code == 201
    exact = {"finding_id": f["id"], "audience": "sector:C29"}
    refused = world.client.post("/api/v1/releases", json=exact, headers=analyst)
    assert refused.status_code == 422 and refused.json()["rule"] == "privacy"


@pytest.mark.parametrize("epsilon", [5e-324, 1e-9, 0.0, -1.0, 3.0, "NaN", "Infinity"])
def test_a_degenerate_epsilon_is_refused_and_spends_nothing(world: World, epsilon: object) -> None:
    # Attack: a subnormal or non-finite epsilon once broke the mechanism or the budget.
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    body = json.dumps({"finding_id": f["id"], "audience": "all_firms", "epsilon": epsilon})
    bad = world.client.post(
        "/api/v1/releases",
        content=body.replace('"NaN"', "NaN").replace('"Infinity"', "Infinity"),
        headers={**analyst, "content-type": "application/json"},
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "epsilon"
    with world.platform.read() as conn:
        assert conn.execute(sa.select(privacy_budget)).all() == []


def test_the_library_refuses_a_degenerate_epsilon_too(world: World) -> None:
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    finding = next(x for x in world.platform.findings() if x.id == f["id"])
    for epsilon in (5e-324, math.nan, math.inf):
        with pytest.raises(InputError, match="epsilon"):
            publish_finding(world.platform, finding, "all_firms", "analyst", epsilon)


def _submit(world: World, firm: str, records: list[dict], sector: str = "C29") -> None:
    h = world.firm(firm, sector) if not world.exists(firm) else world.login(f"u-{firm}")
    r = world.client.post("/api/v1/submissions/suppliers", json=records, headers=h)
    assert r.status_code == 201, r.text


def _suppliers(world: World, analyst: dict) -> dict[str, int]:
    """Shared-supplier findings: subject → number of firms."""
    found = world.client.get("/api/v1/findings", headers=analyst).json()
    return {f["subject"]: f["n_firms"] for f in found if f["kind"] == "shared_supplier"}


def test_one_firms_identifier_does_not_merge_suppliers_others_keep_apart(world: World) -> None:
    lei = "5493006W3QUS5LMH6R84"
    analyst = world.analyst()
    for firm in ("A", "B"):
        _submit(world, firm, [supplier("Acme Metals")])
    for firm in ("C", "D"):
        _submit(world, firm, [supplier("Beta Mining")])
    # E names both suppliers with one LEI: before, one 5-firm (releasable) finding
    _submit(world, "E", [supplier("Acme Metals", supplier_lei=lei),
                         supplier("Beta Mining", supplier_lei=lei)])  # fmt: skip
    found = _suppliers(world, analyst)
    assert found == {"Acme Metals (CHN)": 3, "Beta Mining (CHN)": 3}
    # two firms giving one LEI to names that are not alike is evidence: those merge
    other = "5493001KJTIIGC8Y1R12"
    _submit(world, "F", [supplier("Gamma Alloys", supplier_lei=other)])
    _submit(world, "G", [supplier("Delta Smelting Works", supplier_lei=other)])
    found = _suppliers(world, analyst)
    assert found == {
        "Acme Metals (CHN)": 3,
        "Beta Mining (CHN)": 3,
        "Gamma Alloys (CHN)": 2,
    }


def test_names_do_not_chain_and_numbers_or_directions_keep_plants_apart(world: World) -> None:
    names = ["China Northern Rare Earth Group", "China Southern Rare Earth Group",
             "Acme Metals No. 1 Plant", "Acme Metals No. 2 Plant"]  # fmt: skip
    for n, firm in enumerate("ABCDEFGH"):
        _submit(world, firm, [supplier(names[n % 4])])
    found = _suppliers(world, world.analyst())
    assert sorted(found.values()) == [2, 2, 2, 2]
    assert {s.split(" (")[0] for s in found} == set(names)


def test_a_flood_of_one_firms_records_cannot_move_a_supplier(world: World) -> None:
    for firm in "ABCDE":
        _submit(world, firm, [supplier("Acme Metals")])
    flood = [supplier("Acme Metals", country="VNM", tier=2, product=f"8112{n:02d}")
             for n in range(50)]  # fmt: skip
    _submit(world, "F", [supplier("Acme Metals"), *flood])
    found = _suppliers(world, world.analyst())
    assert found["Acme Metals (CHN)"] == 6


def test_a_submission_may_not_flood_the_mash_up_with_names(world: World) -> None:
    h = world.firm("Flooder")
    records = [supplier(f"Supplier {n:05d} Holdings") for n in range(2_001)]
    r = world.client.post("/api/v1/submissions/suppliers", json=records, headers=h)
    assert r.status_code == 422 and "at most 2000 distinct supplier names" in r.text


def test_one_junk_record_does_not_make_a_firm_a_contributor(world: World) -> None:
    _firms(world, 6)
    analyst = world.analyst()
    f = _finding(world, analyst)
    r = world.client.post("/api/v1/releases", headers=analyst,
                          json={"finding_id": f["id"], "audience": "all_firms"})  # fmt: skip
    assert r.status_code == 201
    junk = world.firm("Junk")
    outflow = [{"area": "ai", "channel": "other", "severity": 1}]
    assert world.client.post("/api/v1/submissions/outflow", json=outflow,
                             headers=junk).status_code == 201  # fmt: skip
    tier2 = [supplier("Nobody Inc", tier=2)]
    assert world.client.post("/api/v1/submissions/suppliers", json=tier2,
                             headers=junk).status_code == 201  # fmt: skip
    assert world.client.get("/api/v1/alerts", headers=junk).json() == []
    assert world.client.get("/api/v1/benchmarks", headers=junk).status_code == 403
    assert world.client.get("/api/v1/me", headers=junk).json()["contributing"] is False
    real = [supplier("Acme Gallium Co., Ltd.", tier=1, input_share=0.4)]
    world.client.post("/api/v1/submissions/suppliers", json=real, headers=junk)
    assert [a["id"] for a in world.client.get("/api/v1/alerts", headers=junk).json()] == [
        r.json()["id"]
    ]


def test_a_country_share_is_stated_only_when_its_whole_cell_passes_the_guard(
    world: World,
) -> None:
    analyst = world.analyst()
    for n in range(5):  # five firms source the product from China
        _submit(world, f"C{n}", [supplier(f"Supplier {n}", input_share=0.2)])

    def released_text() -> str:
        found = world.client.get("/api/v1/findings", headers=analyst).json()
        f = next(x for x in found if x["kind"] == "shared_country" and x["subject"] == "CHN")
        r = world.client.post("/api/v1/releases", headers=analyst,
                              json={"finding_id": f["id"], "audience": "all_firms"})  # fmt: skip
        assert r.status_code == 201, r.text
        return str(r.json()["text"])

    assert "It supplies 100% of these firms' reported sourcing" in released_text()
    # one more firm sources the product from Korea on a scale that dominates the product's
    # cell: the share of China would tell about that firm, so it is not stated
    big = [supplier(f"Korea Source {n}", country="KOR", input_share=1.0) for n in range(10)]
    _submit(world, "Giant", big)
    for n in range(5):  # a new release of the China cell (not a differencing of the old one)
        _submit(world, f"D{n}", [supplier(f"Other {n}", input_share=0.2)])
    text = released_text()
    assert "It supplies" not in text and "10 participating firms" in text
