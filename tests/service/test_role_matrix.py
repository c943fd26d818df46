"""Every role against every endpoint, through the API (the core policy has its own full
role × clearance × action × classification matrix in tests/sharing/test_policy.py)."""

from __future__ import annotations

import pytest

from service_world import World, supplier

ENDPOINTS = (
    "me",
    "list_submissions",
    "submit",
    "findings",
    "release",
    "alerts",
    "benchmarks",
    "audit",
    "taxii",
    "incidents",
    "import_incidents",
    "outflow_summary",
    "outflow_release",
    "create_survey",
    "list_surveys",
)
INCIDENT = {"title": "duties", "implementing": "CHN", "affected": "AUS", "family": "goods",
            "pretext": "other", "implemented": "2020-05-19"}  # fmt: skip
SURVEY = {"title": "outlook", "audience": "all_firms",
          "questions": [{"id": "q1", "text": "Risk?", "type": "likert"}]}  # fmt: skip
EXPECTED = {  # role (clearance) -> status per endpoint, in the order above
    "firm_submitter": (200, 200, 201, 403, 404, 200, 200, 403, 200, 403, 403, 403, 403, 403, 200),
    "firm_admin": (200, 200, 201, 403, 404, 200, 200, 403, 200, 403, 403, 403, 403, 403, 200),
    "analyst": (200, 403, 403, 403, 404, 200, 403, 403, 200, 200, 201, 200, 403, 201, 200),
    "cleared_analyst": (200, 200, 403, 200, 201, 200, 403, 403, 200, 200, 201, 200, 201, 201, 200),
    "cleared_analyst (expired)": (
        200,
        403,
        403,
        403,
        404,
        200,
        403,
        403,
        200,
        200,
        201,
        200,
        403,
        201,
        200,
    ),
    "auditor": (200, 403, 403, 403, 404, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403),
    "platform_admin": (200, 403, 403, 403, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_role_against_every_endpoint(world: World, who: str) -> None:
    contributors = [world.firm(f"Firm{i}") for i in range(5)]
    for i, headers in enumerate(contributors):
        world.client.post(
            "/api/v1/submissions/suppliers",
            json=[supplier(input_share=0.2 + 0.01 * i)],
            headers=headers,
        )
    finding = world.client.get("/api/v1/findings", headers=world.analyst()).json()[0]["id"]
    role = who.split(" ")[0]
    if role.startswith("firm"):
        world.org("Asker", "firm", "C29")
        headers = world.user("asker", "Asker", role)
    else:
        world.org("Office", "government", None)
        level = "top_secret" if role == "cleared_analyst" else "none"
        days = -1 if "expired" in who else 30
        headers = world.user("asker", "Office", role, level, ("critical_minerals",), days)
    calls = {
        "me": lambda: world.client.get("/api/v1/me", headers=headers),
        "list_submissions": lambda: world.client.get("/api/v1/submissions", headers=headers),
        "submit": lambda: world.client.post(
            "/api/v1/submissions/suppliers", json=[supplier()], headers=headers
        ),
        "findings": lambda: world.client.get("/api/v1/findings", headers=headers),
        "release": lambda: world.client.post(
            "/api/v1/releases",
            json={"finding_id": finding, "audience": "all_firms"},
            headers=headers,
        ),
        "alerts": lambda: world.client.get("/api/v1/alerts", headers=headers),
        "benchmarks": lambda: world.client.get("/api/v1/benchmarks", headers=headers),
        "audit": lambda: world.client.get("/api/v1/audit", headers=headers),
        "taxii": lambda: world.client.get("/taxii2/api/collections/", headers=headers),
        "incidents": lambda: world.client.get("/api/v1/incidents", headers=headers),
        "import_incidents": lambda: world.client.post(
            "/api/v1/incidents", json=[INCIDENT], headers=headers
        ),
        "outflow_summary": lambda: world.client.get("/api/v1/outflow/summary", headers=headers),
        "outflow_release": lambda: world.client.post(
            "/api/v1/outflow/releases", json={"audience": "all_firms"}, headers=headers
        ),
        "create_survey": lambda: world.client.post("/api/v1/surveys", json=SURVEY, headers=headers),
        "list_surveys": lambda: world.client.get("/api/v1/surveys", headers=headers),
    }
    got = tuple(calls[name]().status_code for name in ENDPOINTS)
    assert dict(zip(ENDPOINTS, got, strict=True)) == dict(
        zip(ENDPOINTS, EXPECTED[who], strict=True)
    )


def test_a_government_role_in_a_firm_reads_nothing(world: World) -> None:
    """An insider creates a cleared-analyst account in a firm (the CLI now refuses it; here it
    is written straight into the store): the policy still refuses it everything."""
    victim = world.firm("Victim")
    sub = world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=victim)
    for i in range(5):
        world.client.post("/api/v1/submissions/suppliers", json=[supplier()],
                          headers=world.firm(f"Other{i}"))  # fmt: skip
    world.org("Mole KK", "firm", "C29")
    mole = world.user("mole", "Mole KK", "cleared_analyst", "top_secret", ("critical_minerals",))
    c = world.client
    assert c.get("/api/v1/findings", headers=mole).status_code == 403
    assert c.get(f"/api/v1/submissions/{sub.json()['id']}", headers=mole).status_code == 404
    assert c.get("/api/v1/submissions", headers=mole).status_code == 403
    assert c.get("/api/v1/incidents", headers=mole).status_code == 403
    assert c.get("/api/v1/outflow/summary", headers=mole).status_code == 403
    assert c.get("/taxii2/api/collections/", headers=mole).json()["collections"] == []
    denied = c.get("/api/v1/findings", headers=mole).json()
    assert "not held in a firm organisation" in denied["rule"]
