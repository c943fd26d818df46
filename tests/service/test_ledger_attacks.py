"""The adaptive firm against the release ledger, through the API (SQLite and PostgreSQL): each
test is an attack that worked before the ledger, and now fails."""

from __future__ import annotations

import datetime as dt

from service_world import World, supplier


def _release(world: World, analyst: dict, finding_id: str) -> dict:
    r = world.client.post("/api/v1/releases", json={"finding_id": finding_id,
                          "audience": "all_firms"}, headers=analyst)  # fmt: skip
    return {"status": r.status_code, **r.json()}


def test_differencing_across_finding_kinds(world: World) -> None:
    # Five firms reach Acme only at tier 2, a sixth buys from it directly: a 6-firm
    # shared-supplier finding and a 5-firm hidden-tier-2 finding on the same input shares.
    # Releasing both gave every firm the sixth firm's share by subtraction.
    for i in range(6):
        h = world.firm(f"Firm{i}")
        record = supplier("Acme Gallium", input_share=0.2 + 0.05 * i, tier=1 if i == 5 else 2)
        r = world.client.post("/api/v1/submissions/suppliers", json=[record], headers=h)
        assert r.status_code == 201, r.text
    analyst = world.analyst()
    found = world.client.get("/api/v1/findings", headers=analyst).json()
    by_kind = {f["kind"]: f for f in found if f["subject"].startswith("Acme")}
    assert by_kind["shared_supplier"]["n_firms"] == 6
    assert by_kind["hidden_tier2_overlap"]["n_firms"] == 5
    assert _release(world, analyst, by_kind["shared_supplier"]["id"])["status"] == 201
    second = _release(world, analyst, by_kind["hidden_tier2_overlap"]["id"])
    assert second["status"] == 422 and second["rule"] == "differencing"
    # the console's preview says so before anything is published
    preview = world.client.get(
        f"/api/v1/findings/{by_kind['hidden_tier2_overlap']['id']}/preview", headers=analyst
    )
    assert preview.status_code == 200 and preview.json()["rule"] == "differencing"


def _benchmark(world: World, headers: dict) -> dict:
    r = world.client.get("/api/v1/benchmarks", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_firm_cannot_probe_the_benchmark(world: World) -> None:
    firms = []
    for i in range(6):
        h = world.firm(f"Firm{i}")
        r = world.client.post("/api/v1/submissions/suppliers",
                              json=[supplier(inventory_days=20 + 10 * i)], headers=h)  # fmt: skip
        assert r.status_code == 201, r.text
        firms.append(h)
    first = _benchmark(world, firms[0])
    assert first["status"] == "ok" and first["metrics"]["inventory_days"]["sector_mean"] == 45.0
    assert "n_firms" not in first and first["period"] and first["published"]
    # The attacker moves its own number and reads again; then another firm withdraws.
    world.client.post("/api/v1/submissions/suppliers", json=[supplier(inventory_days=900)],
                      headers=firms[0])  # fmt: skip
    assert _benchmark(world, firms[0]) == first
    (sub,) = world.client.get("/api/v1/submissions", headers=firms[5]).json()
    assert world.client.post(f"/api/v1/submissions/{sub['id']}/withdraw",
                             headers=firms[5]).status_code == 200  # fmt: skip
    assert _benchmark(world, firms[0]) == first
    # A new period: two firms changed (fewer than k), so a new snapshot would isolate them;
    # the old one stays.
    later = world.platform.now() + dt.timedelta(days=40)
    world.platform.now = lambda: later  # type: ignore[method-assign]
    assert _benchmark(world, firms[0]) == first
    # Once five more firms have joined, the next snapshot goes out.
    for i in range(6, 11):
        h = world.firm(f"Firm{i}")
        world.client.post("/api/v1/submissions/suppliers", json=[supplier(inventory_days=30)],
                          headers=h)  # fmt: skip
    fresh = _benchmark(world, firms[0])
    assert fresh["published"] != first["published"]
    assert fresh["metrics"]["inventory_days"]["own"] == 900.0


def _survey(world: World, gov: dict, answers: dict[int, str], firms: list[dict]) -> dict:
    question = {"id": "plan", "text": "Do you have a plan?", "type": "single",
                "options": ["yes", "no"]}  # fmt: skip
    r = world.client.post("/api/v1/surveys", json={"title": "Plans", "audience": "sector:C29",
                          "questions": [question]}, headers=gov)  # fmt: skip
    sid = r.json()["id"]
    for i, a in answers.items():
        r = world.client.post(f"/api/v1/surveys/{sid}/responses",
                              json={"answers": {"plan": a}}, headers=firms[i])  # fmt: skip
        assert r.status_code == 201, r.text
    world.client.post(f"/api/v1/surveys/{sid}/close", headers=gov)
    (q,) = world.client.get(f"/api/v1/surveys/{sid}/results", headers=gov).json()["questions"]
    return q


def test_surveys_over_the_same_population_are_audited_together(world: World) -> None:
    firms = [world.firm(f"Firm{i}", "C29", "small") for i in range(6)]
    world.org("Gov", "government", None)
    gov = world.user("gov-analyst", "Gov", "analyst")
    answers = {0: "yes", 1: "no", 2: "yes", 3: "no", 4: "yes", 5: "no"}
    assert _survey(world, gov, answers, firms)["status"] == "ok"
    # The same question again, without Firm5: the two shares together give its answer.
    again = _survey(world, gov, {i: a for i, a in answers.items() if i != 5}, firms)
    assert again["status"] == "withheld" and again["rule"] == "differencing"


def test_unanimous_survey_answers_are_withheld(world: World) -> None:
    firms = [world.firm(f"Firm{i}", "C29", "small") for i in range(6)]
    world.org("Gov", "government", None)
    gov = world.user("gov-analyst", "Gov", "analyst")
    q = _survey(world, gov, dict.fromkeys(range(6), "yes"), firms)
    assert q["status"] == "withheld" and q["rule"] == "unanimous"
