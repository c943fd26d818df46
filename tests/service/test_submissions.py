"""Submissions through the API: JSON and CSV, versions, withdrawal, errors that store nothing."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from service_world import PASSWORD, World, supplier

CSV_HEADER = "supplier_name,country,product,tier,input_share,single_source,inventory_days\n"


def _count(world: World) -> int:
    with world.platform.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM submissions")).scalar_one())


def test_json_submission_versions_and_withdrawal(world: World) -> None:
    a = world.firm("Alpha")
    first = world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=a)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1 and first.json()["records"][0]["classification"] == (
        "RESTRICTED"
    )
    second = world.client.post(
        "/api/v1/submissions/suppliers", json=[supplier(input_share=0.5)], headers=a
    )
    assert second.json()["version"] == 2
    assert second.json()["lineage"] == first.json()["lineage"]
    listed = {
        s["id"]: s["status"] for s in world.client.get("/api/v1/submissions", headers=a).json()
    }
    assert listed == {first.json()["id"]: "superseded", second.json()["id"]: "current"}
    gone = world.client.post(f"/api/v1/submissions/{second.json()['id']}/withdraw", headers=a)
    assert gone.json()["status"] == "withdrawn" and gone.json()["withdrawn_at"]
    kept = world.client.get(f"/api/v1/submissions/{second.json()['id']}", headers=a).json()
    assert kept["records"][0]["input_share"] == 0.5  # kept for audit


def test_csv_upload_multipart_and_plain(world: World) -> None:
    a = world.firm("Alpha")
    body = (
        CSV_HEADER + "Acme Gallium,China,811292,1,0.4,yes,30\nBeta Metals,KR,811292,2,0.1,no,12\n"
    )
    r = world.client.post(
        "/api/v1/submissions/suppliers",
        files={"file": ("suppliers.csv", body.encode(), "text/csv")},
        headers=a,
    )
    assert r.status_code == 201, r.text
    assert [x["country"] for x in r.json()["records"]] == ["CHN", "KOR"]
    assert r.json()["records"][0]["single_source"] is True
    r = world.client.post(
        "/api/v1/submissions/suppliers",
        content=body.encode(),
        headers={**a, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201 and r.json()["version"] == 2


def test_bad_rows_name_row_and_field_and_store_nothing(world: World) -> None:
    a = world.firm("Alpha")
    body = (
        CSV_HEADER
        + "Acme Gallium,China,811292,1,0.4,yes,30\n"
        + "Beta Metals,Atlantis,81129,zero,1.5,maybe,-1\n"
    )
    r = world.client.post(
        "/api/v1/submissions/suppliers",
        files={"file": ("suppliers.csv", body.encode(), "text/csv")},
        headers=a,
    )
    assert r.status_code == 422
    problems = {(p["row"], p["field"]) for p in r.json()["problems"]}
    assert problems == {
        (2, f)
        for f in ("country", "product", "tier", "input_share", "single_source", "inventory_days")
    }
    assert "suppliers.csv" in r.json()["detail"]
    assert _count(world) == 0


def test_malformed_inputs_are_4xx_with_fields(world: World) -> None:
    a = world.firm("Alpha")
    cases = [
        ({"json": {"not": "a list"}}, 422),
        ({"json": [supplier(tier="2.5")]}, 422),
        ({"json": [supplier(extra_field=1)]}, 422),
        ({"json": [supplier(supplier_lei="5493006W3QUS5LMH6R85")]}, 422),
        ({"json": []}, 422),
        ({"content": b"\xff\xfe", "headers": {"Content-Type": "text/csv"}}, 422),
        ({"content": b'a,b\n"unterminated', "headers": {"Content-Type": "text/csv"}}, 422),
        ({"content": b"<xml/>", "headers": {"Content-Type": "application/xml"}}, 415),
    ]
    for kwargs, status in cases:
        headers = {**a, **kwargs.pop("headers", {})}
        r = world.client.post("/api/v1/submissions/suppliers", headers=headers, **kwargs)
        assert r.status_code == status, (kwargs, r.text)
        if status == 422:
            assert r.json()["problems"], r.text
    assert _count(world) == 0


def test_oversized_upload_is_refused(world: World) -> None:
    a = world.firm("Alpha")
    limit = world.platform.settings.max_upload_bytes
    row = "Acme Gallium,China,811292,1,0.001,no,30\n"
    body = CSV_HEADER + row * (limit // len(row) + 10)
    r = world.client.post(
        "/api/v1/submissions/suppliers",
        content=body.encode(),
        headers={**a, "Content-Type": "text/csv"},
    )
    assert r.status_code == 413 and str(limit) in r.json()["detail"]
    assert _count(world) == 0


def test_incidents_and_outflow(world: World) -> None:
    a = world.firm("Alpha")
    incident = {
        "family": "goods",
        "pretext": "security",
        "country": "CHN",
        "product": "811292",
        "date": "2023-08-01",
        "impact": "high",
    }
    r = world.client.post("/api/v1/submissions/incidents", json=[incident], headers=a)
    assert r.status_code == 201, r.text
    r = world.client.post(
        "/api/v1/submissions/outflow",
        json=[{"area": "semiconductors", "channel": "hiring_away", "severity": 4}],
        headers=a,
    )
    assert r.status_code == 201
    bad = world.client.post(
        "/api/v1/submissions/incidents", json=[{**incident, "pretext": "weather"}], headers=a
    )
    assert bad.json()["problems"][0]["field"] == "pretext"


def test_no_token_is_401_and_other_firms_get_404(world: World) -> None:
    a = world.firm("Alpha")
    b = world.firm("Beta")
    assert world.client.get("/api/v1/submissions").status_code == 401
    assert (
        world.client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    sub = world.client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=a).json()
    missing = world.client.get(
        "/api/v1/submissions/00000000-0000-0000-0000-000000000000", headers=b
    )
    hidden = world.client.get(f"/api/v1/submissions/{sub['id']}", headers=b)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert world.client.get("/api/v1/submissions", headers=b).json() == []
    withdraw = world.client.post(f"/api/v1/submissions/{sub['id']}/withdraw", headers=b)
    assert withdraw.status_code == 404 and withdraw.json() == missing.json()
    assert world.client.get(f"/api/v1/submissions/{sub['id']}", headers=a).json()["status"] == (
        "current"
    )


def test_records_are_encrypted_at_rest(world: World) -> None:
    a = world.firm("Alpha")
    world.client.post(
        "/api/v1/submissions/suppliers", json=[supplier("Very Secret Supplier KK")], headers=a
    )
    with world.platform.engine.connect() as conn:
        payload = conn.execute(sa.text("SELECT payload FROM submissions")).scalar_one()
    assert payload.startswith("v1.k1.") and "Secret" not in payload


def test_guessing_a_password_locks_the_account_and_floods_are_limited(world: World) -> None:
    c = world.client
    world.firm("Target")  # user u-Target
    world.firm("Bystander")

    def attempt(user: str, password: str) -> httpx.Response:
        return c.post("/api/v1/auth/token", data={"username": user, "password": password})

    for n in range(5):
        assert attempt("u-Target", f"guess number {n}").status_code == 401
    locked = attempt("u-Target", PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 15 * 60
    assert "locked" in locked.json()["detail"]
    assert attempt("u-Bystander", PASSWORD).status_code == 200  # others are unaffected
    # an unknown name counts like a known one: it locks the same way (no hint it exists)
    for n in range(5):
        assert attempt("no-such-user", f"guess number {n}").status_code == 401
    assert attempt("no-such-user", "anything at all").status_code == 429
    # one address trying many names is limited as a whole
    codes = [attempt(f"user{n}", "x").status_code for n in range(61)]
    assert codes[-1] == 429 and set(codes[:40]) == {401}


class _Watched:
    """The platform's real password hasher, watched: how many verifications run at once. Each
    holds its slot a little longer, as argon2's full memory profile would."""

    def __init__(self, hasher: object) -> None:
        self.hasher, self.running, self.most = hasher, 0, 0
        self.lock = threading.Lock()

    def verify(self, stored: str, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)
            return bool(self.hasher.verify(stored, password))  # type: ignore[attr-defined]
        finally:
            with self.lock:
                self.running -= 1


def test_concurrent_sign_ins_hash_a_few_at_a_time(world: World) -> None:
    # 16 sign-ins at once once took the server from 0.4 to 1.4 GB: each argon2 hash takes
    # 64 MiB. At most hashing_slots (4) run together; the rest wait their turn and succeed.
    for n in range(16):
        world.firm(f"Crowd{n}")
    watched = _Watched(world.platform.hasher)
    world.platform.hasher = watched

    def sign_in(n: int) -> int:
        r = world.client.post("/api/v1/auth/token",
                              data={"username": f"u-Crowd{n}", "password": PASSWORD})  # fmt: skip
        return r.status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(sign_in, range(16)))
    assert codes == [200] * 16
    assert watched.most == world.platform.settings.hashing_slots == 4
