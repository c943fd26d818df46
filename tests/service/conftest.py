"""The service under test, on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``ECONSEC_TEST_DATABASE_URL`` (an account that may create databases;
``.ci/run`` starts one). Each test gets a fresh database. Without the variable the PostgreSQL
cases fail, they are not skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from econsec.server import create_app
from service_world import World, postgres_url, settings_for


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.db'}"
        return
    admin_url = postgres_url()
    name = f"econsec_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # Without FORCE: the server stops its own autovacuum workers there, which FORCE would
        # need pg_signal_backend to terminate; every connection of ours is closed by now.
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        finally:
            admin.dispose()


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    app = create_app(settings_for(database_url, tmp_path))
    with TestClient(app) as client:
        yield World(client, app.state.platform)
    app.state.platform.dispose()
