"""The incident register, early-warning events, surveys and outflow summaries through the API."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.intelligence.incidents import dump_csv, known_incidents, load_file
from service_world import World, supplier

BARLEY = {
    "id": "barley", "title": "duties on barley", "implementing": ["CHN"], "affected": ["AUS"],
    "products": ["1003"], "flow": "imports", "family": "goods", "pretext": "other",
    "announced": "2020-05-18", "implemented": "2020-05-19",
}  # fmt: skip


def _gov(world: World, role: str = "analyst") -> dict[str, str]:
    if not world.exists("Gov"):
        world.org("Gov", "government", None)
    return world.user(f"gov-{role}", "Gov", role)


def _flows() -> list[dict]:
    """AUS and CAN ship barley to CHN monthly; AUS stops in June 2020."""
    rng = np.random.default_rng(1)
    rows = []
    for t in range(84):
        period = f"{2015 + t // 12}-{t % 12 + 1:02d}"
        for x, level in (("AUS", 100.0), ("CAN", 60.0)):
            v = level * rng.lognormal(0, 0.08) * (0.05 if x == "AUS" and t >= 65 else 1)
            rows.append({"period": period, "exporter": x, "importer": "CHN", "product": "100310",
                         "value": round(v, 2)})  # fmt: skip
    return rows


def test_register_import_export_and_evidence(world: World) -> None:
    gov, firm = _gov(world), world.firm("Farmer")
    c = world.client
    # firms cannot read or write the register
    assert c.get("/api/v1/incidents", headers=firm).status_code == 403
    assert c.post("/api/v1/incidents", json=[BARLEY], headers=firm).status_code == 403
    # a bad row rejects the whole import, naming row and field
    r = c.post("/api/v1/incidents", json=[BARLEY, {**BARLEY, "id": "x", "pretext": "rain"}],
               headers=gov)  # fmt: skip
    assert r.status_code == 422 and r.json()["problems"][0]["row"] == 2
    assert c.get("/api/v1/incidents", headers=gov).json() == []
    seed = known_incidents()
    r = c.post("/api/v1/incidents", content=dump_csv(seed),
               headers={**gov, "content-type": "text/csv"})  # fmt: skip
    assert r.status_code == 201 and len(r.json()) == len(seed)
    assert c.post("/api/v1/incidents", json=[BARLEY], headers=gov).status_code == 201
    # the early warning on uploaded flows, linked to the register
    r = c.post("/api/v1/events/detect?source=test", json=_flows(), headers=gov)
    assert r.status_code == 200, r.text
    (event,) = r.json()
    assert (event["exporter"], event["period"]) == ("AUS", "2020-06")
    (stored,) = c.get("/api/v1/events", headers=gov).json()
    assert stored["incidents"] == ["barley", "chn-aus-barley-2020"]
    bad = c.post("/api/v1/events/detect", json=[{**_flows()[0], "period": "2020-13"}], headers=gov)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "period"
    # a firm's incident report supports the register entry
    report = {"family": "goods", "pretext": "other", "country": "CHN", "product": "100310",
              "date": "2020-06-01", "impact": "high"}  # fmt: skip
    assert c.post("/api/v1/submissions/incidents", json=[report], headers=firm).status_code == 201
    cleared = world.analyst()
    barley = next(i for i in c.get("/api/v1/incidents", headers=cleared).json()
                  if i["id"] == "barley")  # fmt: skip
    assert barley["events"] == [stored["id"]] and barley["firm_reports"] == 1
    # firms' reports feed the register: grouped, with the incidents they support
    other = {**report, "country": "KOR", "product": "281111", "date": "2024-02-03"}
    c.post("/api/v1/submissions/incidents", json=[report, other], headers=firm)
    groups = c.get("/api/v1/incidents/candidates", headers=cleared).json()
    assert [(g["country"], g["month"], g["incidents"]) for g in groups] == [
        ("KOR", "2024-02", []),  # a candidate for the register
        ("CHN", "2020-06", ["barley", "chn-aus-barley-2020"]),
    ]
    assert c.get("/api/v1/incidents/candidates", headers=firm).status_code == 403
    # export in both formats reads back
    csv_text = c.get("/api/v1/incidents/export?format=csv", headers=gov).text
    assert len(load_file(csv_text.encode(), "r.csv")) == len(seed) + 1
    as_json = c.get("/api/v1/incidents/export", headers=gov).content
    assert load_file(as_json, "r.json") == load_file(csv_text.encode(), "r.csv")
    assert c.delete("/api/v1/incidents/barley", headers=gov).status_code == 204
    assert c.delete("/api/v1/incidents/barley", headers=gov).status_code == 404


QUESTIONS = [
    {"id": "risk", "text": "How likely is coercion against your sector?", "type": "likert",
     "scale": 5},
    {"id": "plan", "text": "Do you have a plan?", "type": "single", "options": ["yes", "no"]},
    {"id": "stock", "text": "Days of stock", "type": "numeric", "minimum": 0, "maximum": 3650},
]  # fmt: skip


def test_survey_round_trip_with_weights_and_the_guard(world: World) -> None:
    gov, c = _gov(world), world.client
    firms = [world.firm(f"F{i}", "C29", "large" if i < 2 else "small") for i in range(7)]
    other = world.firm("Other", "C10")
    bad = c.post("/api/v1/surveys", json={"title": "t", "audience": "sector:C29",
                 "questions": [{"id": "q", "text": "?", "type": "likert", "scale": 50}]},
                 headers=gov)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "questions[0].scale"
    assert c.post("/api/v1/surveys", json={"title": "t", "audience": "all_firms",
                  "questions": QUESTIONS}, headers=firms[0]).status_code == 403  # fmt: skip
    r = c.post("/api/v1/surveys", json={"title": "Coercion outlook", "audience": "sector:C29",
               "questions": QUESTIONS}, headers=gov)  # fmt: skip
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert [s["id"] for s in c.get("/api/v1/surveys", headers=firms[0]).json()] == [sid]
    assert c.get("/api/v1/surveys", headers=other).json() == []
    assert c.post(f"/api/v1/surveys/{sid}/responses", json={"answers": {"risk": 4}},
                  headers=other).status_code == 404  # fmt: skip
    r = c.post(f"/api/v1/surveys/{sid}/responses", json={"answers": {"risk": 9, "plan": "maybe"}},
               headers=firms[0])  # fmt: skip
    assert r.status_code == 422 and {p["field"] for p in r.json()["problems"]} == {"risk", "plan"}
    # two large firms say 5, three small firms say 1 (the sector has 5 small and 2 large)
    for i, h in enumerate(firms[:5]):
        answers = {"risk": 5 if i < 2 else 1, "plan": "yes" if i < 2 else "no", "stock": 30}
        r = c.post(f"/api/v1/surveys/{sid}/responses", json={"answers": answers}, headers=h)
        assert r.status_code == 201, r.text
    assert c.get(f"/api/v1/surveys/{sid}/results", headers=gov).status_code == 409  # still open
    assert c.post(f"/api/v1/surveys/{sid}/close", headers=gov).json()["status"] == "closed"
    assert c.post(f"/api/v1/surveys/{sid}/responses", json={"answers": {"risk": 2}},
                  headers=firms[5]).status_code == 409  # fmt: skip
    res = c.get(f"/api/v1/surveys/{sid}/results", headers=firms[0]).json()
    q = {x["id"]: x for x in res["questions"]}
    # weights: large 2/2 = 1, small 5/3; mean = (2*5 + 3*(5/3)*1) / (2 + 5) = 15/7
    assert abs(q["risk"]["mean"] - 15 / 7) < 1e-3
    lo, hi = q["risk"]["ci95"]
    assert 1 <= lo <= q["risk"]["mean"] <= hi <= 5
    yes = next(o for o in q["plan"]["options"] if o["option"] == "yes")
    assert abs(yes["share"] - 2 / 7) < 1e-3
    # all five hold 30 days of stock: shown, each would learn the others' answers
    assert q["stock"]["status"] == "withheld" and q["stock"]["rule"] == "unanimous"
    assert "mean" not in q["stock"] and res["coverage"] == 1.0
    # a firm that did not answer gets nothing; a question with fewer than 5 firms is withheld
    assert c.get(f"/api/v1/surveys/{sid}/results", headers=firms[6]).status_code == 404
    r = c.post("/api/v1/surveys", json={"title": "small", "audience": "sector:C29",
               "questions": QUESTIONS[:1]}, headers=gov)  # fmt: skip
    small = r.json()["id"]
    for h in firms[:4]:
        c.post(f"/api/v1/surveys/{small}/responses", json={"answers": {"risk": 3}}, headers=h)
    c.post(f"/api/v1/surveys/{small}/close", headers=gov)
    (withheld,) = c.get(f"/api/v1/surveys/{small}/results", headers=gov).json()["questions"]
    assert withheld["status"] == "withheld" and withheld["rule"] == "min_firms"
    assert "mean" not in withheld


def test_outflow_summary_and_guarded_release(world: World) -> None:
    gov, cleared, c = _gov(world), world.analyst(), world.client
    firms = [world.firm(f"T{i}") for i in range(6)]
    for i, h in enumerate(firms):
        records = [{"area": "semiconductors", "channel": "hiring_away", "severity": 3}]
        if i == 0:
            records.append({"area": "quantum", "channel": "cyber_theft", "severity": 5})
        r = c.post("/api/v1/submissions/outflow", json=records, headers=h)
        assert r.status_code == 201, r.text
    assert c.get("/api/v1/outflow/summary", headers=firms[0]).status_code == 403
    cells = c.get("/api/v1/outflow/summary", headers=cleared).json()["cells"]
    semi = next(x for x in cells if x["area"] == "semiconductors")
    assert semi["n_firms"] == 6 and semi["releasable"] and "contributors" not in semi
    assert not next(x for x in cells if x["area"] == "quantum")["releasable"]
    assert c.post("/api/v1/outflow/releases", json={"audience": "all_firms"},
                  headers=gov).status_code == 403  # not cleared  # fmt: skip
    r = c.post("/api/v1/outflow/releases", json={"audience": "all_firms"}, headers=cleared)
    assert r.status_code == 201, r.text
    assert [x["area"] for x in r.json()["released"]] == ["semiconductors"]
    assert r.json()["withheld"] == [{"area": "quantum", "channel": "cyber_theft",
                                     "rule": "min_firms"}]  # fmt: skip
    # outflow reports alone do not make a contributor (issue 15): with a supplier list it sees
    # the alert
    assert c.get("/api/v1/alerts", headers=firms[3]).json() == []
    c.post("/api/v1/submissions/suppliers", json=[supplier()], headers=firms[3])
    alerts = c.get("/api/v1/alerts", headers=firms[3]).json()
    assert any(a["kind"] == "outflow" and "hiring away" in a["text"] for a in alerts)
    # differencing: after one firm withdraws, the cell would differ by one firm
    subs = c.get("/api/v1/submissions", headers=firms[5]).json()
    c.post(f"/api/v1/submissions/{subs[0]['id']}/withdraw", headers=firms[5])
    r = c.post("/api/v1/outflow/releases", json={"audience": "all_firms"}, headers=cleared)
    assert {(x["area"], x["rule"]) for x in r.json()["withheld"]} >= {
        ("semiconductors", "differencing")
    }


def test_a_survey_takes_answers_until_its_last_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    gov, c = _gov(world), world.client
    firm = world.firm("Late", "C29")
    today = dt.date.today()
    past = c.post("/api/v1/surveys", json={"title": "t", "audience": "all_firms",
                  "questions": QUESTIONS, "closes_on": str(today - dt.timedelta(days=1))},
                  headers=gov)  # fmt: skip
    assert past.status_code == 422 and past.json()["problems"][0]["field"] == "closes_on"
    r = c.post("/api/v1/surveys", json={"title": "Outlook", "audience": "all_firms",
               "questions": [QUESTIONS[0] | {"text_ja": "威圧の可能性は？"}],
               "closes_on": str(today)}, headers=gov)  # fmt: skip
    assert r.status_code == 201 and r.json()["closes_on"] == str(today)
    assert r.json()["questions"][0]["text_ja"] == "威圧の可能性は？"
    sid = r.json()["id"]
    answer = {"answers": {"risk": 3}}
    assert c.post(f"/api/v1/surveys/{sid}/responses", json=answer, headers=firm).status_code == 201
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    monkeypatch.setattr(world.platform, "now", lambda: later)
    late = c.post(f"/api/v1/surveys/{sid}/responses", json=answer, headers=firm)
    assert late.status_code == 409 and str(today) in late.json()["detail"]
