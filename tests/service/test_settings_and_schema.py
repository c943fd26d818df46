"""Settings (secrets in development and production) and the schema the migrations make."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from econsec.errors import ConfigError
from econsec.settings import load_settings
from econsec.storage.platform_db import connect, metadata, migrate
from econsec.storage.sealing import new_key


def test_development_generates_secrets_once_owner_only(tmp_path: Path) -> None:
    first = load_settings(tmp_path, {})
    path = tmp_path / "platform" / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_settings(tmp_path, {})
    assert again.secret_key == first.secret_key and again.data_keys == first.data_keys
    assert first.database_url == f"sqlite:///{tmp_path / 'platform' / 'platform.db'}"
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="owner only"):
        load_settings(tmp_path, {})


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, "ECONSEC_SECRET_KEY"),
        ({"ECONSEC_SECRET_KEY": "changeme"}, "ECONSEC_SECRET_KEY"),
        ({"ECONSEC_SECRET_KEY": "x" * 40}, "ECONSEC_DATA_KEYS"),
        ({"ECONSEC_SECRET_KEY": "x" * 40, "ECONSEC_DATA_KEYS": "k1:abc"}, "32 bytes"),
        (
            {"ECONSEC_SECRET_KEY": "x" * 40, "ECONSEC_DATA_KEYS": f"k1:{new_key()}"},
            "ECONSEC_DATABASE_URL",
        ),
    ],
)
def test_production_refuses_missing_or_default_secrets(
    tmp_path: Path, env: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_settings(tmp_path, {"ECONSEC_ENV": "production", **env})
    assert not (tmp_path / "platform" / "secrets.json").exists()


def test_production_starts_with_real_secrets(tmp_path: Path) -> None:
    s = load_settings(
        tmp_path,
        {
            "ECONSEC_ENV": "production",
            "ECONSEC_SECRET_KEY": "q" * 48,
            "ECONSEC_DATA_KEYS": f"k2:{new_key()},k1:{new_key()}",
            "ECONSEC_DATABASE_URL": "postgresql+psycopg://app@db/app",
        },
    )
    assert s.production and s.data_keys.current == "k2"


def test_migrations_make_exactly_the_described_schema(database_url: str) -> None:
    engine = connect(database_url)
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_production_headers_local_api_docs_and_private_files(tmp_path: Path) -> None:
    import os

    from fastapi.testclient import TestClient

    from econsec.server import create_app

    env = {"ECONSEC_ENV": "production", "ECONSEC_SECRET_KEY": "k" * 8 + "Zq9#vT2@pL" * 4,
           "ECONSEC_DATA_KEYS": "k1:" + new_key(),
           "ECONSEC_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}"}  # fmt: skip
    app = create_app(load_settings(tmp_path, env))
    client = TestClient(app, base_url="https://testserver")
    assert stat.S_IMODE(os.stat(tmp_path / "prod.db").st_mode) == 0o600
    for path in ("/healthz", "/api/v1/me", "/login", "/api/docs"):
        r = client.get(path)
        assert r.headers["strict-transport-security"].startswith("max-age=31536000"), path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    docs = client.get("/api/docs").text
    assert "cdn" not in docs.lower() and "<script>" not in docs  # no CDN, no inline script
    for asset in ("/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css",
                  "/api/docs/init.js"):  # fmt: skip
        assert client.get(asset).status_code == 200, asset
    app.state.platform.dispose()
