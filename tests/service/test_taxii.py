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
from fastapi.testclient import TestClient
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.v21 import Server, as_pages

from econsec.app.seed import DEMO_PASSWORD, seed_demo
from econsec.server import create_app
from servers import free_port, serving
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
    with serving(app) as address:
        yield address
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


def test_exchange_pull_brings_partner_alerts_in_incrementally_and_respects_tlp(
    url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from econsec.app.exchange import withheld_by_tlp
    from econsec.app.platform import Platform
    from econsec.cli import app
    from econsec.settings import load_settings
    from econsec.storage.intelligence import list_incidents

    cols = {c.title: c.id for c in Server(f"{url}/taxii2/", user="analyst",
                                           password=DEMO_PASSWORD).api_roots[0].collections}  # fmt: skip
    ours = tmp_path / "ours"
    runner = CliRunner()
    for title in ("econsec alerts for all_firms", "econsec alerts for sector:C29"):
        first = runner.invoke(app, ["exchange", "pull", "--url", f"{url}/taxii2/", "--collection",
                                    cols[title], "--user", "analyst", "--password-stdin", "-w",
                                    str(ours)], input=DEMO_PASSWORD + "\n")  # fmt: skip
        assert first.exit_code == 0, first.output
        assert "candidates stored" in first.output and "TLP:RED" in first.output
        again = runner.invoke(app, ["exchange", "pull", "--url", f"{url}/taxii2/",
                                    "--collection", cols[title], "--user", "analyst",
                                    "--password-stdin", "-w", str(ours)],
                              input=DEMO_PASSWORD + "\n")  # fmt: skip
        assert again.output.startswith("0 candidates stored from 0 objects added after 20")
    platform = Platform(load_settings(ours))
    with platform.read() as conn:
        register = list_incidents(conn)
    platform.dispose()
    partner = [i for i in register if i.id.startswith("taxii-")]
    assert partner and all(i.assessment == "unassessed" for i in partner)
    marks = {next(s for s in i.sources if s.startswith("TLP:")) for i in partner}
    assert marks == {"TLP:GREEN", "TLP:AMBER"}  # all_firms is GREEN, a sector's AMBER
    assert {withheld_by_tlp(i) for i in partner} == {True, False}  # AMBER stays in the house
    bad = runner.invoke(app, ["exchange", "pull", "--url", f"{url}/taxii2/", "--collection",
                              cols["econsec alerts for all_firms"], "--user", "analyst",
                              "--password-stdin", "-w", str(ours)], input="wrong\n")  # fmt: skip
    assert bad.exit_code != 0


def test_partner_items_read_tlp_and_leave_red_out() -> None:
    from econsec.sharing.exchange import TLP2, partner_items

    objects = [
        {"type": "location", "id": "location--1", "country": "CN"},
        {"type": "report", "id": "report--a", "name": "red", "object_refs": ["location--1"],
         "object_marking_refs": [TLP2["red"]], "published": "2026-01-01T00:00:00Z"},
        {"type": "indicator", "id": "indicator--b", "name": "unmarked", "pattern": "[x:y = 1]",
         "valid_from": "2026-01-02T00:00:00Z"},
        {"type": "report", "id": "report--c", "name": "clear", "object_refs": ["location--1"],
         "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]},
    ]  # fmt: skip
    items = {i.name: i for i in partner_items(objects)}
    assert items["red"].tlp == "red" and items["red"].countries == ("CHN",)
    assert items["unmarked"].tlp == "amber"  # sharing not stated: kept in the house
    assert items["clear"].tlp == "clear"


def test_exchange_pull_from_the_oasis_reference_server(tmp_path: Path) -> None:
    # medallion (the OASIS TAXII 2.1 reference server) on loopback, with a partner's bundle
    # posted through taxii2-client: a GREEN alert about China and a RED one; econsec pulls the
    # GREEN one in as a candidate, leaves the RED one out, and a second poll brings nothing.
    import json as jsonlib

    import medallion
    from typer.testing import CliRunner
    from werkzeug.serving import make_server

    from econsec.app.platform import Platform
    from econsec.cli import app
    from econsec.settings import load_settings
    from econsec.sharing.exchange import alert_bundle
    from econsec.sharing.releases import Release
    from econsec.storage.intelligence import list_incidents

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cid = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
    data = {
        "/discovery": {"title": "partner", "default": f"{base}/trustgroup1/",
                       "api_roots": [f"{base}/trustgroup1/"]},
        "trustgroup1": {
            "information": {"title": "partner root", "versions": [TAXII],
                            "max_content_length": 9765625},
            "status": [],
            "collections": [{"id": cid, "title": "partner alerts", "can_read": True,
                             "can_write": True, "media_types": [
                                 "application/stix+json;version=2.1"],
                             "objects": [], "manifest": []}],
        },
    }  # fmt: skip
    config = tmp_path / "medallion.json"
    config.write_text(jsonlib.dumps({
        "users": {"partner": "secret"}, "taxii": {"max_page_size": 100},
        "backend": {"module_class": "MemoryBackend",
                    "module": "medallion.backends.memory_backend", "filename": None}}))  # fmt: skip
    flask_app = medallion.load_app(str(config))
    flask_app.medallion_backend.data = data
    server = make_server("127.0.0.1", port, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        alerts = [Release(f"p{n}", f"f{n}", "shared_supplier", title, "5 firms ...",
                          "Acme (CHN)", "Acme", "811292", "CHN", 5, audience, tlp,
                          "2026-11-27T00:00:00Z", "partner method")
                  for n, (title, audience, tlp) in enumerate((
                      ("Many firms depend on one supplier", "all_firms", "green"),
                      ("Named recipients only", "all_firms", "green")))]  # fmt: skip
        green = jsonlib.loads(alert_bundle(alerts[:1]))
        red = jsonlib.loads(alert_bundle(alerts[1:]))
        for o in red["objects"]:  # the partner marks its second alert RED
            if o["type"] == "report":
                o["object_marking_refs"] = [
                    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
                ]
        red["objects"].append({"type": "marking-definition", "spec_version": "2.1",
                               "id": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
                               "created": "2022-10-01T00:00:00.000Z", "name": "TLP:RED",
                               "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-"
                                              "9e08dde9e88d": {"extension_type":
                                                               "property-extension",
                                                               "tlp_2_0": "red"}}})  # fmt: skip
        partner = Server(f"{base}/taxii2/", user="partner", password="secret")
        collection = partner.api_roots[0].collections[0]
        for bundle in (green, red):
            collection.add_objects(jsonlib.dumps(bundle))
        ours = tmp_path / "ours"
        args = ["exchange", "pull", "--url", f"{base}/taxii2/", "--collection", cid, "--user",
                "partner", "--password-stdin", "-w", str(ours)]  # fmt: skip
        first = CliRunner().invoke(app, args, input="secret\n")
        assert first.exit_code == 0, first.output
        assert (
            first.output.startswith("1 candidates stored") and "1 TLP:RED items not" in first.output
        )
        again = CliRunner().invoke(app, args, input="secret\n")
        assert again.exit_code == 0 and again.output.startswith("0 candidates stored"), again.output
    finally:
        server.shutdown()
        thread.join(10)
    platform = Platform(load_settings(ours))
    with platform.read() as conn:
        (pulled,) = [i for i in list_incidents(conn) if i.id.startswith("taxii-")]
    platform.dispose()
    assert pulled.implementing == ("CHN",) and "TLP:GREEN" in pulled.sources
    assert pulled.title == "[partner report] Many firms depend on one supplier"


def test_released_alerts_as_a_misp_feed(url: str) -> None:
    # The feed as a MISP instance pulls it (with the bearer token in a feed header): the
    # manifest names every event file, each loads in PyMISP with its TLP tag and a distribution
    # no wider than the TLP allows; a firm's feed holds only its own audiences' alerts.
    from pymisp import MISPEvent

    def feed(user: str) -> tuple[dict[str, Any], dict[str, MISPEvent]]:
        token = httpx.post(f"{url}/api/v1/auth/token", data={"username": user,
                           "password": DEMO_PASSWORD}).json()["access_token"]  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}
        manifest = httpx.get(f"{url}/api/v1/alerts/misp/manifest.json", headers=headers).json()
        events = {}
        for uuid_ in manifest:
            event = MISPEvent()
            event.load(httpx.get(f"{url}/api/v1/alerts/misp/{uuid_}.json", headers=headers).text)
            events[uuid_] = event
        return manifest, events

    manifest, events = feed("analyst")
    assert manifest and set(manifest) == {str(e.uuid) for e in events.values()}
    for uuid_, event in events.items():
        tlp = next(t.name for t in event.tags if t.name.startswith("tlp:"))
        assert tlp in ("tlp:green", "tlp:amber")
        assert next(t["name"] for t in manifest[uuid_]["Tag"]) == tlp
        assert int(event.distribution) == {"tlp:green": 2, "tlp:amber": 0}[tlp]
        assert event.Orgc.name == "econsec" and event.attributes
    firm_manifest, _ = feed("firm12")  # C26: no C29 alert
    assert set(firm_manifest) < set(manifest)
    r = httpx.get(f"{url}/api/v1/alerts/misp/00000000-0000-4000-8000-000000000000.json",
                  auth=("firm12", DEMO_PASSWORD))  # fmt: skip
    assert r.status_code == 401  # the API takes bearer tokens only


def test_a_client_generated_from_the_openapi_document_signs_in_and_submits(
    url: str, tmp_path: Path
) -> None:
    # openapi-python-client writes a typed client from /openapi.json; with it an analyst and a
    # firm sign in by the bearer scheme the document declares, the analyst sends a survey and
    # the firm submits its answers. (The supplier upload, which takes JSON, multipart and CSV,
    # trips the generator's template for multi-type bodies; its JSON form is tested directly.)
    import importlib
    import subprocess
    import sys

    (tmp_path / "openapi.json").write_text(httpx.get(f"{url}/openapi.json").text)
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path",
         str(tmp_path / "openapi.json"), "--meta", "none", "--output-path",
         str(tmp_path / "econsec_client")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert (tmp_path / "econsec_client" / "client.py").exists(), generated.stdout[-2000:]
    sys.path.insert(0, str(tmp_path))
    clients: list[Any] = []
    try:
        client_mod = importlib.import_module("econsec_client")
        models = importlib.import_module("econsec_client.models")
        token_api = importlib.import_module("econsec_client.api.auth.token_api_v1_auth_token_post")
        me_api = importlib.import_module("econsec_client.api.auth.me_api_v1_me_get")
        create = importlib.import_module("econsec_client.api.surveys.create_api_v1_surveys_post")
        answer_api = importlib.import_module(
            "econsec_client.api.surveys.answer_api_v1_surveys_survey_id_responses_post"
        )

        def opened(client: Any) -> Any:
            clients.append(client)
            return client

        def sign_in(user: str) -> Any:
            body = models.BodyTokenApiV1AuthTokenPost(username=user, password=DEMO_PASSWORD)
            answer = token_api.sync(client=opened(client_mod.Client(base_url=url)), body=body)
            token = answer.additional_properties["access_token"]
            return opened(client_mod.AuthenticatedClient(base_url=url, token=token))

        analyst, firm = sign_in("analyst2"), sign_in("firm11")
        assert me_api.sync(client=firm).username == "firm11"
        survey = create.sync(client=analyst, body=models.SurveyRequest.from_dict(
            {"title": "Outlook", "audience": "all_firms", "questions": [
                {"id": "risk", "text": "Risk?", "type": "likert", "scale": 5}]}))  # fmt: skip
        answers = models.AnswersRequest.from_dict({"answers": {"risk": 4}})
        submitted = answer_api.sync_detailed(survey.id, client=firm, body=answers)
        assert submitted.status_code == 201, submitted.content
        stranger = opened(client_mod.AuthenticatedClient(base_url=url, token="not-a-token"))
        refused = answer_api.sync_detailed(survey.id, client=stranger, body=answers)
        assert refused.status_code == 401 and refused.parsed.detail.startswith("sign in")
    finally:
        for client in clients:
            client.get_httpx_client().close()
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("econsec_client")]:
            del sys.modules[name]
