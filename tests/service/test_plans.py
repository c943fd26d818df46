"""The critical-infrastructure equipment review on the platform, on SQLite and PostgreSQL:
operators file plans and answer recommendations, reviewers of the plan's sector decide within
the period, cleared analysts see shared vendors as counts — and an operator, a reviewer of
another sector or a firm learns nothing of a plan, by id, by list or by counts."""

from __future__ import annotations

import json
from typing import Any

from service_world import World


def _plan(vendor: str = "Acme Controls", country: str = "CHN", **extra: Any) -> list[dict]:
    return [{"equipment": "SCADA", "component": "controller", "supplier_name": vendor,
             "supplier_country": country, "manufacturing_country": country,
             "introduction_date": "2027-04-01", **extra},
            {"equipment": "SCADA", "component": "router", "supplier_name": "NetCo",
             "supplier_country": "USA", "manufacturing_country": "VNM",
             "introduction_date": "2027-04-01"}]  # fmt: skip


def _operator(world: World, name: str, sector: str) -> dict[str, str]:
    world.org(name, "operator", sector)
    return world.user(f"op-{name}", name, "operator_submitter")


def _reviewer(world: World, sectors: tuple[str, ...], days: int = 30) -> dict[str, str]:
    if not world.exists("Ministry"):
        world.org("Ministry", "government", None)
    name = "rev-" + "-".join(sectors) + f"-{days}"
    return world.user(name, "Ministry", "reviewer", "confidential", sectors, days=days)


def test_an_operator_files_a_reviewer_decides_and_the_operator_answers(world: World) -> None:
    c = world.client
    power = _operator(world, "Power Co", "electricity")
    reviewer = _reviewer(world, ("electricity",))
    bad = c.post("/api/v1/plans", json=[{**_plan()[0], "supplier_country": "Atlantis"}],
                 headers=power)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "supplier_country"
    r = c.post("/api/v1/plans", json=_plan(foreign_share=0.7), headers=power)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["review"]["status"] == "under_review" and plan["days_left"] == 30
    assert plan["risks"] == []  # the operator never sees the reviewer's risk factors
    listed = c.get("/api/v1/plans", headers=reviewer).json()
    assert [p["id"] for p in listed] == [plan["id"]] and listed[0]["records"] == []
    seen = c.get(f"/api/v1/plans/{plan['id']}", headers=reviewer).json()
    factors = {x["factor"] for x in seen["risks"]}
    assert {"country_of_concern", "foreign_ownership"} <= factors
    assert seen["records"][0]["supplier_name"] == "Acme Controls"
    assert c.get("/api/v1/plans/reminders", params={"within": 30},
                 headers=reviewer).json()[0]["plan_id"] == plan["id"]  # fmt: skip
    longer = c.post(f"/api/v1/plans/{plan['id']}/deadline", headers=reviewer,
                    json={"deadline": "2099-01-01", "reason": "ownership to check"})  # fmt: skip
    assert longer.status_code == 422 and "four months from the filing" in longer.text
    rec = c.post(f"/api/v1/plans/{plan['id']}/decision", headers=reviewer,
                 json={"decision": "recommendation", "reasons": "replace the controller"})  # fmt: skip
    assert rec.status_code == 200 and rec.json()["review"]["status"] == "recommended"
    early = c.post(f"/api/v1/plans/{plan['id']}/decision", headers=reviewer,
                   json={"decision": "order", "reasons": "replace it"})  # fmt: skip
    assert early.status_code == 409
    declined = c.post(f"/api/v1/plans/{plan['id']}/answer", headers=power,
                      json={"accept": False, "reason": "no alternative yet"})  # fmt: skip
    assert declined.json()["review"]["status"] == "declined"
    order = c.post(f"/api/v1/plans/{plan['id']}/decision", headers=reviewer,
                   json={"decision": "order", "reasons": "replace the controller"})  # fmt: skip
    assert order.json()["review"]["status"] == "ordered"
    mine = c.get(f"/api/v1/plans/{plan['id']}", headers=power).json()
    assert [s["what"] for s in mine["review"]["steps"]] == [
        "filed", "recommendation", "declined", "order"]  # fmt: skip
    load = c.get("/api/v1/plans/caseload", headers=reviewer).json()
    assert load == [{"sector": "electricity", "under_review": 0, "overdue": 0, "no_objection": 0,
                     "recommended": 0, "accepted": 0, "declined": 0, "ordered": 1,
                     "mean_days_to_decision": 0.0}]  # fmt: skip


def test_nobody_else_learns_anything_of_a_plan(world: World) -> None:
    c = world.client
    power = _operator(world, "Power Co", "electricity")
    plan = c.post("/api/v1/plans", json=_plan(), headers=power).json()
    rival = _operator(world, "Grid Co", "electricity")
    gas_reviewer = _reviewer(world, ("gas",))
    lapsed = _reviewer(world, ("electricity",), days=-1)
    firm = world.firm("Maker")
    analyst = world.analyst()
    for who in (rival, gas_reviewer, lapsed, firm, analyst):
        # by id: exactly as a plan that does not exist
        assert c.get(f"/api/v1/plans/{plan['id']}", headers=who).status_code == 404
        assert c.get("/api/v1/plans/no-such-plan", headers=who).status_code == 404
        assert c.post(f"/api/v1/plans/{plan['id']}/decision", headers=who,
                      json={"decision": "no_objection"}).status_code == 404  # fmt: skip
    assert c.get("/api/v1/plans", headers=rival).json() == []  # only its own
    for who in (gas_reviewer, firm, analyst):
        listed = c.get("/api/v1/plans", headers=who)
        assert listed.status_code == 403 or plan["id"] not in listed.text
    # a firm cannot file a plan, an operator cannot submit suppliers as a firm would
    assert c.post("/api/v1/plans", json=_plan(), headers=firm).status_code == 403
    assert c.post("/api/v1/submissions/suppliers", json=[{"supplier_name": "x"}],
                  headers=power).status_code in (403, 422)  # fmt: skip
    # the operator answers nothing that is not a recommendation
    assert c.post(f"/api/v1/plans/{plan['id']}/answer", headers=power,
                  json={"accept": True}).status_code == 409  # fmt: skip


def test_cleared_analysts_see_shared_vendors_as_counts_and_reviewers_as_risk(
    world: World,
) -> None:
    c = world.client
    ops = [_operator(world, f"Op{i}", s) for i, s in
           enumerate(("electricity", "gas", "railways", "finance"))]  # fmt: skip
    ids = [c.post("/api/v1/plans", json=_plan(vendor="ACME  controls"), headers=h).json()["id"]
           for h in ops]  # fmt: skip
    shared = c.get("/api/v1/plans/shared-vendors", headers=world.analyst()).json()
    assert {"vendor": "acme controls", "operators": 4, "sectors": 4} in shared
    assert all(set(x) == {"vendor", "operators", "sectors"} for x in shared)  # no operator named
    assert c.get("/api/v1/plans/shared-vendors", headers=ops[0]).status_code == 403
    reviewer = _reviewer(world, ("electricity",))
    risks = c.get(f"/api/v1/plans/{ids[0]}", headers=reviewer).json()["risks"]
    vendor = next(x for x in risks if x["factor"] == "shared_vendor")
    assert vendor["detail"] == "controller: 3 other operators; router: 3 other operators"


def test_an_operator_is_created_in_one_of_the_fifteen_sectors(world: World) -> None:
    import pytest

    from econsec.app import accounts
    from econsec.errors import InputError

    with pytest.raises(InputError, match="an operator's sector: 'space'"):
        accounts.create_org(world.platform, "Space Co", "operator", "space", None)
    assert accounts.create_org(world.platform, "Rail Co", "operator", "railways", None)


def _vendor_findings(world: World, analyst: dict[str, str]) -> list[dict[str, Any]]:
    found = world.client.get("/api/v1/findings", headers=analyst).json()
    return [f for f in found if f["kind"] == "shared_vendor" and "controls" in f["subject"]]


def test_cross_operator_findings_reach_operators_only_through_the_guard(world: World) -> None:
    c = world.client
    analyst = world.analyst(("infrastructure",))
    sectors = ("electricity", "gas", "railways", "finance", "aviation", "ports", "electricity")
    ops = [_operator(world, f"Op{i}", s) for i, s in enumerate(sectors)]
    plans = [c.post("/api/v1/plans", json=_plan(vendor="ACME  controls"), headers=h).json()["id"]
             for h in ops[:3]]  # fmt: skip
    # three operators: a finding for cleared analysts, with no operator named, not releasable
    (f,) = _vendor_findings(world, analyst)
    assert f["n_firms"] == 3 and f["subject"] == "ACME  controls (CHN)"
    assert "Op" not in json.dumps(f)
    assert _vendor_findings(world, world.analyst(("general",))) == []  # not its compartment
    assert c.get("/api/v1/findings", headers=ops[0]).status_code == 403
    refused = c.post("/api/v1/releases", json={"finding_id": f["id"], "audience": "all_operators"},
                     headers=analyst)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["rule"] == "min_firms"
    # five: the guard lets it through, worded from its numbers
    plans += [c.post("/api/v1/plans", json=_plan(vendor="Acme Controls"), headers=h).json()["id"]
              for h in ops[3:5]]  # fmt: skip
    (f,) = _vendor_findings(world, analyst)
    r = c.post("/api/v1/releases", json={"finding_id": f["id"], "audience": "all_operators"},
               headers=analyst)  # fmt: skip
    assert r.status_code == 201, r.text
    alert = r.json()
    assert alert["kind"] == "shared_vendor" and alert["n_firms"] == 5 and alert["product"] is None
    assert "5 operators of essential infrastructure in 5 sector(s)" in alert["text"]
    assert "Op" not in json.dumps(alert)
    assert [a["id"] for a in c.get("/api/v1/alerts", headers=ops[1]).json()] == [alert["id"]]
    ja = c.get("/api/v1/alerts", params={"lang": "ja"}, headers=ops[1]).json()[0]["text"]
    assert "基幹インフラ事業者 5 社" in ja
    assert c.get("/api/v1/alerts", headers=ops[5]).json() == []  # no plan filed: nothing
    assert c.get("/api/v1/alerts", headers=world.firm("Maker")).json() == []  # firms: no
    # the adaptive operator: Op4 drops the vendor, Op6 names it — still five, but the two
    # releases would differ by two operators: refused
    c.post("/api/v1/plans", params={"revises": plans[4]},
           json=_plan(vendor="Other Controls"), headers=ops[4])  # fmt: skip
    c.post("/api/v1/plans", json=_plan(vendor="ACME controls"), headers=ops[6])
    (g,) = _vendor_findings(world, analyst)
    assert g["n_firms"] == 5
    again = c.post("/api/v1/releases", json={"finding_id": g["id"], "audience": "all_operators"},
                   headers=analyst)  # fmt: skip
    assert again.status_code == 422 and again.json()["rule"] == "differencing"


def test_reminders_are_sent_once_per_deadline_to_the_sectors_reviewers(world: World) -> None:
    from econsec.app.plans import send_reminders

    c, p = world.client, world.platform
    power = _operator(world, "Power Co", "electricity")
    plan = c.post("/api/v1/plans", json=_plan(), headers=power).json()
    reviewer = _reviewer(world, ("electricity",))
    other = _reviewer(world, ("gas",))
    lapsed = _reviewer(world, ("electricity",), days=-1)
    assert send_reminders(p, within=7) == 0  # 30 days left
    assert send_reminders(p, within=30) == 1  # the electricity reviewer only
    assert send_reminders(p, within=30) == 0  # once per deadline
    (sent,) = c.get("/api/v1/plans/reminders/sent", headers=reviewer).json()
    assert sent["plan_id"] == plan["id"] and sent["days_left"] == 30 and not sent["read"]
    assert c.get("/api/v1/plans/reminders/sent", headers=other).json() == []
    assert c.get("/api/v1/plans/reminders/sent", headers=lapsed).json() == []
    assert c.get("/api/v1/plans/reminders/sent", headers=power).json() == []
    # a moved deadline is reminded again
    later = c.post(f"/api/v1/plans/{plan['id']}/deadline", headers=reviewer,
                   json={"deadline": sent["deadline"][:8] + "28", "reason": "more to check"})  # fmt: skip
    assert later.status_code == 200, later.text
    assert send_reminders(p, within=120) == 1
    assert len(c.get("/api/v1/plans/reminders/sent", headers=reviewer).json()) == 2
    # only its reader marks a reminder read, once
    assert c.post(f"/api/v1/plans/reminders/{sent['id']}/read", headers=other).status_code == 404
    assert c.post(f"/api/v1/plans/reminders/{sent['id']}/read", headers=reviewer).status_code == 204
    assert c.post(f"/api/v1/plans/reminders/{sent['id']}/read", headers=reviewer).status_code == 404
