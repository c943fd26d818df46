"""Unexpected errors: logged with the request's id, which the 500 answer shows (JSON and
page); a client's own sane request id is kept."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from econsec.app import sharing
from econsec.server import create_app
from service_world import World, settings_for
from web.conftest import csrf_of, form_post


def _boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("disk on fire")


def test_an_unexpected_error_is_logged_with_the_id_the_user_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        world = World(client, app.state.platform)
        headers = world.firm("Maker")
        monkeypatch.setattr(sharing, "alerts", _boom)
        with caplog.at_level(logging.ERROR, logger="econsec.server"):
            r = client.get("/api/v1/alerts", headers=headers)
        assert r.status_code == 500
        body = r.json()
        assert body["detail"] == "internal error" and re.fullmatch(
            r"[0-9a-f]{16}", body["request_id"]
        )
        assert r.headers["x-request-id"] == body["request_id"]
        (record,) = [x for x in caplog.records if body["request_id"] in x.getMessage()]
        assert record.exc_info is not None and "disk on fire" in str(record.exc_info[1])
        assert "disk on fire" not in r.text  # the user sees the id, not the internals
        # a page: the same, as a page in the user's language
        page = client.get("/login")
        form_post(client, "/login", data={"username": "u-Maker", "password": "correct horse battery staple",
                                    "next": "/", "csrf_token": csrf_of(page.text)})  # fmt: skip
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="econsec.server"):
            r = client.get("/portal/alerts", headers={"x-request-id": "ticket-42"})
        assert r.status_code == 500 and "ticket-42" in r.text and "<html" in r.text
        assert any("ticket-42" in x.getMessage() for x in caplog.records)
        # an id that is not sane is replaced, never echoed
        r = client.get("/api/v1/alerts", headers={**headers, "x-request-id": "<script>"})
        assert "<script>" not in r.text and r.json()["request_id"] != "<script>"
    app.state.platform.dispose()
