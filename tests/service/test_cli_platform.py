"""``econsec admin``, ``econsec audit verify`` and the demo platform, on a workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
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
    # each submission, each release's contributors and each release's ledger entry
    assert f"re-encrypted {seeded.submissions + 2 * len(seeded.releases)} values" in result.output
    assert "audit log sealed again" in result.output
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    assert {r[0].split(".")[1] for r in db.execute("SELECT payload FROM submissions")} == {"k2"}
    assert {h.split(".")[0] for (h,) in db.execute("SELECT hash FROM audit_log")} == {"k2"}
    result = CliRunner().invoke(app, ["audit", "verify", "-w", str(tmp_path)], env=env)
    assert result.exit_code == 0 and "intact" in result.output


def test_demo_platform(tmp_path: Path) -> None:
    app_ = create_app(load_settings(tmp_path, {}))
    seeded = seed_demo(app_.state.platform)
    assert seeded.submissions == 12 and len(seeded.releases) >= 2
    client = TestClient(app_)

    def login(user: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    findings = client.get("/api/v1/findings", headers=login("analyst")).json()
    assert len(findings) == seeded.findings
    assert len(client.get("/api/v1/alerts", headers=login("firm03")).json()) == len(seeded.releases)
    assert client.get("/api/v1/benchmarks", headers=login("firm01")).json()["status"] == "ok"
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    hashes = [h for (h,) in db.execute("SELECT password_hash FROM users")]
    assert len(hashes) == 18 and len(set(hashes)) == 18  # a salt of its own for every user


def test_roles_follow_organisations(tmp_path: Path) -> None:
    ws = str(tmp_path)
    _run("admin", "create-org", "Maker", "--kind", "firm", "--sector", "C29", "-w", ws)
    _run("admin", "create-org", "METI", "--kind", "government", "-w", ws)
    for org, role in (("Maker", "cleared_analyst"), ("Maker", "auditor"), ("METI", "firm_admin")):
        code, out = _run("admin", "create-user", "x", "--org", org, "--role", role,
                         "--password-stdin", "-w", ws, stdin=DEMO_PASSWORD + "\n")  # fmt: skip
        assert code == 2 and f"the role {role} is held in" in out, out


def test_weak_passwords_deactivation_and_reset(tmp_path: Path) -> None:
    ws = str(tmp_path)
    _run("admin", "create-org", "Maker", "--kind", "firm", "--sector", "C29", "-w", ws)
    for weak in ("short pw", "password1234", "qwertyuiop123", "saito-saito-saito"):
        code, out = _run("admin", "create-user", "saito", "--org", "Maker", "--role",
                         "firm_submitter", "--password-stdin", "-w", ws, stdin=weak + "\n")  # fmt: skip
        assert code == 2 and ("at least 12 characters" in out or "too easy to guess" in out), weak
    code, out = _run("admin", "create-user", "saito", "--org", "Maker", "--role",
                     "firm_submitter", "--password-stdin", "-w", ws, stdin=DEMO_PASSWORD + "\n")  # fmt: skip
    assert code == 0, out
    client = TestClient(create_app(load_settings(tmp_path, {})))

    def sign_in(password: str) -> int:
        data = {"username": "saito", "password": password}
        return client.post("/api/v1/auth/token", data=data).status_code

    token = client.post("/api/v1/auth/token", data={"username": "saito",
                        "password": DEMO_PASSWORD}).json()["access_token"]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    new = "plum orchard tractor velvet"
    assert _run("admin", "reset-password", "saito", "-w", ws)[0] == 2  # no --password-stdin
    assert _run("admin", "reset-password", "saito", "--password-stdin", "-w", ws,
                stdin="password1234\n")[0] == 2  # fmt: skip
    assert _run("admin", "reset-password", "saito", "--password-stdin", "-w", ws,
                stdin=new + "\n")[0] == 0  # fmt: skip
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # the session ended
    assert sign_in(DEMO_PASSWORD) == 401 and sign_in(new) == 200
    assert _run("admin", "deactivate-user", "saito", "-w", ws)[0] == 0
    assert sign_in(new) == 401
    code, out = _run("admin", "deactivate-user", "nobody", "-w", ws)
    assert code == 3 and "no user named 'nobody'" in out


def test_an_unknown_user_costs_one_verification_against_a_hash_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing cannot tell which names exist: an unknown name costs one verification, as a
    known one does, against a dummy hash computed once (not one hash and one verification)."""
    from econsec.app import accounts
    from econsec.app.platform import Platform
    from econsec.errors import NotSignedIn

    p = create_app(load_settings(tmp_path, {})).state.platform
    calls = {"hash": 0, "check": 0}
    hash_password, check_password = Platform.hash_password, Platform.check_password

    def counted_hash(self: Platform, password: str) -> str:
        calls["hash"] += 1
        return hash_password(self, password)

    def counted_check(self: Platform, stored: str, password: str) -> bool:
        calls["check"] += 1
        return check_password(self, stored, password)

    monkeypatch.setattr(Platform, "hash_password", counted_hash)
    monkeypatch.setattr(Platform, "check_password", counted_check)
    monkeypatch.setattr(accounts, "_DUMMY", {})
    for _ in range(3):
        with pytest.raises(NotSignedIn):
            accounts.sign_in(p, "nobody", "whatever password")
    assert calls == {"hash": 1, "check": 3}
    p.dispose()


def _audit_rows(db: sqlite3.Connection) -> list[dict[str, object]]:
    cols = ("seq", "at", "actor", "action", "resource", "allowed", "reason", "prev", "hash")
    rows = db.execute(f"SELECT {', '.join(cols)} FROM audit_log ORDER BY seq").fetchall()
    return [dict(zip(cols, (*r[:5], bool(r[5]), *r[6:]), strict=True)) for r in rows]


def _rewrite(db: sqlite3.Connection, rows: list[dict[str, object]], sealer: object) -> None:
    """Write ``rows`` back as a consistent chain, sealed with ``sealer`` (None: plain)."""
    from econsec.sharing.audit import chain_entry

    db.execute("DELETE FROM audit_log")
    previous = None
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("seq", "prev", "hash")}
        previous = chain_entry(previous, sealer, **fields)  # type: ignore[arg-type]
        db.execute("INSERT INTO audit_log VALUES (:seq, :at, :actor, :action, :resource, "
                   ":allowed, :reason, :prev, :hash)", previous)  # fmt: skip
    db.commit()


def test_the_audit_chain_resists_truncation_and_rewrites(tmp_path: Path) -> None:
    import json

    from econsec.settings import load_settings as settings_of

    ws = str(tmp_path)
    for name in ("A", "B", "C", "D"):
        _run("admin", "create-org", name, "--kind", "firm", "-w", ws)
    head = tmp_path / "elsewhere" / "head.json"
    head.parent.mkdir()
    code, out = _run("audit", "export-head", "--output", str(head), "-w", ws)
    assert code == 0 and json.loads(head.read_text())["seq"] == 3
    assert _run("audit", "verify", "--head", str(head), "-w", ws) == (
        0,
        "audit log intact: 4 entries, consistent with the checkpoint\n",
    )
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    rows = _audit_rows(db)
    assert all(str(r["hash"]).startswith("dev1.") for r in rows)  # sealed with the key ring
    # 1. the last entries deleted: the rest is a valid chain; only the checkpoint shows it
    db.execute("DELETE FROM audit_log WHERE seq >= 2")
    db.commit()
    assert _run("audit", "verify", "-w", ws)[0] == 0
    code, out = _run("audit", "verify", "--head", str(head), "-w", ws)
    assert code == 1 and "entries were removed" in out
    # 2. a rewrite without the key (one org's entry taken out, the chain rebuilt): caught
    #    without any checkpoint, sealed plainly or with a made-up key
    kept = [r for r in rows if r["resource"] != "org/B"]

    class Forger:
        def tag(self, data: bytes) -> str:
            import hashlib

            return "dev1." + hashlib.sha256(b"guess" + data).hexdigest()

    for sealer in (None, Forger()):
        _rewrite(db, kept, sealer)
        code, out = _run("audit", "verify", "-w", ws)
        assert code == 1 and "broken at entry 0" in out
    # 3. an insider with the key rewrites consistently: only the checkpoint shows it
    ring = settings_of(tmp_path, {}).data_keys
    _rewrite(db, [*kept, {**rows[1], "reason": "nothing to see"}], ring)
    assert _run("audit", "verify", "-w", ws)[0] == 0
    code, out = _run("audit", "verify", "--head", str(head), "-w", ws)
    assert code == 1 and "rewritten since" in out
    forged = {**json.loads(head.read_text()), "seq": 1}
    head.write_text(json.dumps(forged))
    code, out = _run("audit", "verify", "--head", str(head), "-w", ws)
    assert code == 1 and "not signed with this platform's key" in out


def test_a_chain_from_before_the_key_is_sealed_once_checked(tmp_path: Path) -> None:
    ws = str(tmp_path)
    for name in ("A", "B"):
        _run("admin", "create-org", name, "--kind", "firm", "-w", ws)
    db = sqlite3.connect(tmp_path / "platform" / "platform.db")
    plain = _audit_rows(db)
    _rewrite(db, plain, None)  # as an older econsec wrote it, without a key
    _run("admin", "create-org", "C", "--kind", "firm", "-w", ws)  # a sealed entry after it
    code, out = _run("audit", "verify", "-w", ws)
    assert code == 1 and "broken at entry 0" in out  # not sealed: not yet to be trusted
    code, out = _run("audit", "anchor", "-w", ws)
    assert code == 0 and "3 entries" in out
    assert _run("audit", "verify", "-w", ws) == (0, "audit log intact: 4 entries\n")
    rows = _audit_rows(db)
    assert all(str(r["hash"]).startswith("dev1.") for r in rows)
    assert rows[-1]["action"] == "anchor_audit" and "3 entries sealed" in str(rows[-1]["reason"])
    # later, an insider rewrites the log as a plain chain: anchoring again would launder it,
    # so it is refused; the log stays broken
    _rewrite(db, plain, None)
    code, out = _run("audit", "anchor", "-w", ws)
    assert code == 9 and "sealed before" in out
    assert _run("audit", "verify", "-w", ws)[0] == 1


def test_send_reminders_reaches_the_demo_reviewer_once(tmp_path: Path) -> None:
    app_ = create_app(load_settings(tmp_path, {}))
    seed_demo(app_.state.platform)  # a plan filed 24 days ago: 6 days left
    assert _run("send-reminders", "--within", "5", "-w", str(tmp_path)) == (
        0, "0 reminder(s) sent\n")  # fmt: skip
    assert _run("send-reminders", "-w", str(tmp_path)) == (0, "1 reminder(s) sent\n")
    assert _run("send-reminders", "-w", str(tmp_path)) == (0, "0 reminder(s) sent\n")
    assert _run("--lang", "ja", "send-reminders", "-w", str(tmp_path)) == (
        0, "リマインダーを 0 件送信しました\n")  # fmt: skip
    client = TestClient(app_)
    r = client.post("/api/v1/auth/token", data={"username": "reviewer1",
                                                "password": DEMO_PASSWORD})  # fmt: skip
    token = r.json()["access_token"]
    sent = client.get("/api/v1/plans/reminders/sent",
                      headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    assert len(sent) == 1 and sent[0]["days_left"] == 6 and sent[0]["operator"]
