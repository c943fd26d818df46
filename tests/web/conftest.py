"""A demo platform with its synthetic trade data, for the web pages (built once per session)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from econsec.app.demo import ensure_demo_world
from econsec.app.seed import DEMO_PASSWORD, seed_demo
from econsec.server import create_app
from econsec.storage.workspace import Workspace
from service_world import settings_for


@dataclass
class Site:
    app: FastAPI
    workspace: Path

    def client(self, https: bool = False) -> TestClient:
        return TestClient(self.app, base_url="https://testserver" if https else "http://testserver")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def form_post(client: TestClient, path: str, data: dict[str, str], **options: Any) -> Response:
    """POST a page's form as a browser does: the CSRF token in the form's address."""
    fields = dict(data)
    token = fields.pop("csrf_token", None)
    params = {"csrf_token": token} if token is not None else None
    return client.post(path, params=params, data=fields, **options)


def sign_in(client: TestClient, user: str, password: str = DEMO_PASSWORD) -> None:
    page = client.get("/login")
    r = form_post(client, "/login", {"username": user, "password": password, "next": "/",
                                     "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert r.status_code == 200 and str(r.url).endswith("/"), r.text


@contextlib.contextmanager
def seeded(root: Path) -> Iterator[Site]:
    """The demo platform (accounts, submissions, releases, a plan under review) on SQLite in
    ``root``; its workspace holds only what ``root`` already holds."""
    app = create_app(settings_for(f"sqlite:///{root / 'platform.db'}", root))
    seed_demo(app.state.platform)
    try:
        yield Site(app, root)
    finally:
        app.state.platform.dispose()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("web")
    ensure_demo_world(Workspace(root), lambda _: None)
    with seeded(root) as demo:
        yield demo
