"""The audit chain: every decision recorded, auditors read it, tampering is named."""

from __future__ import annotations

import sqlalchemy as sa

from service_world import World, supplier


def test_decisions_allowed_and_denied_are_audited_and_auditors_read_them(world: World) -> None:
    a = world.firm("Alpha")
    b = world.firm("Beta")
    sub = world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=a).json()
    world.client.get(f"/api/v1/submissions/{sub['id']}", headers=b)  # denied
    world.org("Gov", "government", None)
    auditor = world.user("aud", "Gov", "auditor")
    assert world.client.get("/api/v1/audit", headers=a).status_code == 403
    log = world.client.get("/api/v1/audit?limit=1000", headers=auditor).json()
    assert log["chain_intact"] is True
    entries = log["entries"]
    assert any(
        e["actor"] == "u-Beta" and e["resource"] == f"submission/{sub['id']}" and not e["allowed"]
        for e in entries
    )
    assert any(
        e["actor"] == "u-Alpha" and e["action"] == "submit" and e["allowed"] for e in entries
    )
    assert [e["seq"] for e in entries] == list(range(len(entries)))


def test_tampering_is_found(world: World) -> None:
    a = world.firm("Alpha")
    for _ in range(3):
        world.client.get("/api/v1/submissions", headers=a)
    with world.platform.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET allowed = NOT allowed WHERE seq = 2"))
    world.org("Gov", "government", None)
    auditor = world.user("aud", "Gov", "auditor")
    log = world.client.get("/api/v1/audit", headers=auditor).json()
    assert log["chain_intact"] is False and log["first_bad_entry"] == 2


def test_platform_admin_reads_no_firm_data(world: World) -> None:
    a = world.firm("Alpha")
    sub = world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=a).json()
    world.org("Ops", "government", None)
    admin = world.user("root", "Ops", "platform_admin")
    assert world.client.get(f"/api/v1/submissions/{sub['id']}", headers=admin).status_code == 404
    assert world.client.get("/api/v1/findings", headers=admin).status_code == 403
    assert world.client.get("/api/v1/audit", headers=admin).status_code == 403
