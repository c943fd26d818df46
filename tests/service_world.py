"""Helpers of the service tests: settings, a world of organisations and users, records."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from econsec.access.policy import Clearance
from econsec.app.platform import Platform, PlatformSettings
from econsec.storage import platform as store
from econsec.storage.sealing import KeyRing, new_key

PG_ENV = "ECONSEC_TEST_DATABASE_URL"
PASSWORD = "correct horse battery staple"


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"set {PG_ENV} to a PostgreSQL URL (see .ci/run) to run the PostgreSQL cases")
    return url


def settings_for(url: str, workspace: Path, **changes: Any) -> PlatformSettings:
    return PlatformSettings(
        workspace=workspace,
        database_url=url,
        secret_key="s" * 40,
        data_keys=KeyRing({"k1": new_key()}, "k1"),
        password_profile="fast",
        findings_max_age=0.0,
        **changes,
    )


@dataclass
class World:
    """The app, a test client and helpers to make organisations and users."""

    client: TestClient
    platform: Platform

    def org(
        self, name: str, kind: str = "firm", sector: str | None = "C29", size: str | None = None
    ) -> None:
        with self.platform.engine.begin() as conn:
            store.create_org(conn, name, kind, sector, size)

    def user(
        self,
        username: str,
        org: str,
        role: str = "firm_submitter",
        level: str = "none",
        compartments: tuple[str, ...] = (),
        days: int = 30,
    ) -> dict[str, str]:
        clearance = Clearance(
            level,
            frozenset(compartments),
            dt.date.today() + dt.timedelta(days=days) if level != "none" else None,
            "Director (test)",
        )
        with self.platform.engine.begin() as conn:
            store.create_user(
                conn, username, org, role, self.platform.hash_password(PASSWORD), clearance
            )
        return self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        r = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def firm(self, name: str, sector: str = "C29", size: str | None = None) -> dict[str, str]:
        self.org(name, "firm", sector, size)
        return self.user(f"u-{name}", name)

    def analyst(self, compartments: tuple[str, ...] = ("critical_minerals", "general")) -> dict:
        if not self.exists("Gov"):
            self.org("Gov", "government", None)
        name = "analyst-" + "-".join(compartments) if compartments else "analyst-none"
        return self.user(name, "Gov", "cleared_analyst", "top_secret", compartments)

    def exists(self, org: str) -> bool:
        with self.platform.engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT 1 FROM organisations WHERE name = :n"), {"n": org}
                ).first()
            )


def supplier(name: str = "Acme Gallium Co., Ltd.", **fields: Any) -> dict[str, Any]:
    record = {
        "supplier_name": name,
        "country": "CHN",
        "product": "811292",
        "tier": 1,
        "input_share": 0.3,
        "single_source": True,
        "inventory_days": 45,
    }
    record.update(fields)
    return record
