"""``econsec admin``, ``econsec audit verify`` and the demo platform, on a workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from econsec.app.seed import DEMO_PASSWORD, seed_demo
from econsec.cli import app
from econsec.server import create_app
from econsec.settings import load_settings


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_bootstrap_accounts_then_sign_in(tmp_path: Path) -> None:
    ws = str(tmp_path)
    assert _run("admin", "create-org", "METI", "--kind", "government", "--workspace", ws)[0] == 0
    code, out = _run("admin", "create-org", "Maker", "--kind", "firm", "--sector", "C29", "-w", ws)
    assert code == 0, out
    code, out = _run("admin", "create-org", "Maker", "--kind", "firm", "-w", ws)
    assert code == 2 and "exists already" in out
    code, out = _run("admin", "create-org", "Tiny", "--kind", "firm", "--size", "huge", "-w", ws)
    assert code == 2 and "unknown size class 'huge'" in out
    assert (
        _run("admin", "create-org", "Tiny", "--kind", "firm", "--size", "small", "-w", ws)[0] == 0
    )
    code, out = _run(
        "admin", "create-user", "kato", "--org", "METI", "--role", "cleared_analyst",
        "--clearance", "top_secret", "--compartment", "semiconductors", "--compartment",
        "energy", "--valid-until", "2099-12-31", "--password-stdin", "--workspace", ws,
        stdin="a long enough password\n",
    )  # fmt: skip
    assert code == 0, out
    code, out = _run(
        "admin", "create-user", "x", "--org", "Nowhere", "--role", "analyst",
        "--password-stdin", "-w", ws, stdin="a long enough password\n",
    )  # fmt: skip
    assert code == 3 and "no organisation named 'Nowhere'" in out
    code, out = _run(
        "admin", "create-user", "y", "--org", "METI", "--role", "king", "--password-stdin",
        "-w", ws, stdin="a long enough password\n",
    )  # fmt: skip
    assert code == 2 and "unknown role" in out
    client = TestClient(create_app(load_settings(tmp_path, {})))
    token = client.post(
        "/api/v1/auth/token", data={"username": "kato", "password": "a long enough password"}
    ).json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["clearance"]["compartments"] == ["energy", "semiconductors"]
    assert me["organisation"]["kind"] == "government"
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": "kato", "password": "wrong"}
        ).status_code
        == 401
    )
    code, out = _run("admin", "set-clearance", "kato", "--clearance", "top_secret",
                     "--valid-until", "2099-12-31", "--revoke", "-w", ws)  # fmt: skip
    assert code == 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["clearance"]["revoked"] is True


def test_audit_verify_names_the_first_bad_entry(tmp_path: Path) -> None:
    ws = str(tmp_path)
    for name in ("A", "B", "C"):
        _run("admin", "create-org", name, "--kind", "firm", "-w", ws)
    code, out = _run("audit", "verify", "--workspace", ws)
    assert code == 0 and "intact: 3 entries" in out
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    db.execute("UPDATE audit_log SET resource = 'org/Z' WHERE seq = 1")
    db.commit()
    code, out = _run("audit", "verify", "--workspace", ws)
    assert code == 1 and "broken at entry 1" in out
    db.execute("UPDATE audit_log SET resource = 'org/B' WHERE seq = 1")
    db.execute("DELETE FROM audit_log WHERE seq = 0")
    db.commit()
    code, out = _run("audit", "verify", "--workspace", ws)
    assert code == 1 and "broken at entry 0" in out


def test_key_rotation_reseals_everything(tmp_path: Path) -> None:
    from econsec.storage.sealing import new_key

    app_ = create_app(load_settings(tmp_path, {}))
    seeded = seed_demo(app_.state.platform)
    old = app_.state.platform.ring
    env = {"ECONSEC_DATA_KEYS": f"k2:{new_key()},{old.current}:{old.keys[old.current]}"}
    result = CliRunner().invoke(app, ["admin", "rotate-keys", "-w", str(tmp_path)], env=env)
    assert result.exit_code == 0 and "with key k2" in result.output
    assert f"re-encrypted {seeded.submissions + len(seeded.releases)} values" in result.output
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    assert {r[0].split(".")[1] for r in db.execute("SELECT payload FROM submissions")} == {"k2"}


def test_demo_platform(tmp_path: Path) -> None:
    app_ = create_app(load_settings(tmp_path, {}))
    seeded = seed_demo(app_.state.platform)
    assert seeded.submissions == 12 and len(seeded.releases) >= 3
    client = TestClient(app_)

    def login(user: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    findings = client.get("/api/v1/findings", headers=login("analyst")).json()
    assert len(findings) == seeded.findings
    assert len(client.get("/api/v1/alerts", headers=login("firm03")).json()) == len(seeded.releases)
    assert client.get("/api/v1/benchmarks", headers=login("firm01")).json()["status"] == "ok"
