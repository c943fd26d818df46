"""The TAXII 2.1 server through the OASIS client (taxii2-client) on a live server: HTTP Basic
and Bearer sign-in, pagination, incremental polling with added_after, match filters, the
manifest, objects by id and their versions, TAXII error messages, 406 and 400, and collections
that follow the policy (an analyst reads every sector's)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import uvicorn
from fastapi.testclient import TestClient
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.v21 import Server, as_pages

from econsec.app.seed import DEMO_PASSWORD, seed_demo
from econsec.server import create_app
from servers import free_port, wait_until
from service_world import settings_for

TAXII = "application/taxii+json;version=2.1"


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: Any) -> Any:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("taxii")
    app = create_app(settings_for(f"sqlite:///{root / 'platform.db'}", root))
    seed_demo(app.state.platform)  # releases to all_firms
    with TestClient(app) as client:  # and one to a sector, by the cleared analyst
        token = client.post("/api/v1/auth/token", data={"username": "analyst",
                            "password": DEMO_PASSWORD}).json()["access_token"]  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}
        released = {r["finding_id"] for r in client.get("/api/v1/alerts", headers=headers).json()}
        for f in client.get("/api/v1/findings", headers=headers).json():
            if f["id"] not in released:
                r = client.post("/api/v1/releases", headers=headers,
                                json={"finding_id": f["id"], "audience": "sector:C29"})  # fmt: skip
                if r.status_code == 201:
                    break
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 20)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.platform.dispose()


def _collection(url: str, title: str, **auth: Any) -> Any:
    server = Server(f"{url}/taxii2/", **auth)
    (root,) = server.api_roots
    return next(c for c in root.collections if c.title == title)


def test_basic_and_bearer_clients_page_and_poll_incrementally(url: str) -> None:
    basic = _collection(url, "econsec alerts for all_firms", user="firm01",
                        password=DEMO_PASSWORD)  # fmt: skip
    token = httpx.post(f"{url}/api/v1/auth/token", data={"username": "firm01",
                       "password": DEMO_PASSWORD}).json()["access_token"]  # fmt: skip
    bearer = _collection(url, "econsec alerts for all_firms", auth=_Bearer(token))
    everything = basic.get_objects()
    assert everything["objects"] and everything["more"] is False
    assert bearer.get_objects()["objects"] == everything["objects"]
    strict = validate_parsed_json({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-"
                                   "33f4c354e56d", "objects": everything["objects"]},
                                  ValidationOptions(strict=True, version="2.1"))  # fmt: skip
    assert strict.is_valid, [str(e) for e in strict.errors]
    # pages of two, through the client's own paging helper
    pages = list(as_pages(basic.get_objects, per_request=2))
    assert len(pages) > 1 and all(len(p["objects"]) <= 2 for p in pages)
    assert [o["id"] for p in pages for o in p["objects"]] == [
        o["id"] for o in everything["objects"]]  # fmt: skip
    # incremental: after the last date added, nothing new
    head = httpx.get(f"{url}/taxii2/api/collections/{basic.id}/objects/",
                     auth=("firm01", DEMO_PASSWORD), headers={"Accept": TAXII})  # fmt: skip
    last = head.headers["X-TAXII-Date-Added-Last"]
    assert head.headers["X-TAXII-Date-Added-First"] <= last
    assert basic.get_objects(added_after=last)["objects"] == []  # a poller gets nothing twice
    reports = basic.get_objects(type="report")["objects"]
    assert reports and {o["type"] for o in reports} == {"report"}
    manifest = basic.get_manifest()["objects"]
    assert {m["id"] for m in manifest} == {o["id"] for o in everything["objects"]}
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest)
    one = reports[0]["id"]
    assert basic.get_object(one)["objects"][0]["id"] == one
    assert basic.object_versions(one)["versions"] == [manifest[[m["id"] for m in manifest]
                                                              .index(one)]["version"]]  # fmt: skip


def test_errors_are_taxii_messages(url: str) -> None:
    auth = ("firm01", DEMO_PASSWORD)
    base = f"{url}/taxii2/api/collections/"
    anonymous = httpx.get(base, headers={"Accept": TAXII})
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == TAXII
    assert anonymous.json()["http_status"] == "401" and "Basic" in anonymous.headers[
        "www-authenticate"]  # fmt: skip
    wrong = httpx.get(base, auth=("firm01", "not the password"), headers={"Accept": TAXII})
    assert wrong.status_code == 401 and wrong.json()["title"] == "Unauthorized"
    assert httpx.get(base, auth=auth, headers={"Accept": "text/html"}).status_code == 406
    missing = httpx.get(f"{base}00000000-0000-4000-8000-000000000000/objects/", auth=auth)
    assert missing.status_code == 404 and missing.headers["content-type"] == TAXII
    collections = httpx.get(base, auth=auth).json()["collections"]
    cid = next(c["id"] for c in collections if c["title"].endswith("all_firms"))
    for bad in ({"limit": "0"}, {"limit": "x"}, {"added_after": "yesterday"}, {"next": "abc"},
                {"match[version]": "sometime"}, {"colour": "red"}):  # fmt: skip
        r = httpx.get(f"{base}{cid}/objects/", params=bad, auth=auth)
        assert r.status_code == 400 and r.json()["http_status"] == "400", (bad, r.text)
    with pytest.raises(requests.HTTPError, match="401"):  # the client sees the refusal
        Server(f"{url}/taxii2/", user="firm01", password="wrong").api_roots  # noqa: B018


def test_collections_follow_the_policy(url: str) -> None:
    analyst = {c.title for c in Server(f"{url}/taxii2/", user="analyst",
                                       password=DEMO_PASSWORD).api_roots[0].collections}  # fmt: skip
    assert "econsec alerts for sector:C29" in analyst  # cleared analysts read every sector's
    firm = {c.title for c in Server(f"{url}/taxii2/", user="firm01",
                                    password=DEMO_PASSWORD).api_roots[0].collections}  # fmt: skip
    sector = "econsec alerts for sector:C29"
    c26 = {c.title for c in Server(f"{url}/taxii2/", user="firm12",
                                   password=DEMO_PASSWORD).api_roots[0].collections}  # fmt: skip
    assert "econsec alerts for all_firms" in firm and sector in firm  # firm01 is in C29
    assert sector not in c26  # firm12 (C26) never sees C29's collection
