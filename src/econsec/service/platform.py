"""The running platform: store, keys, password hashing, and the one place where the access
policy is applied and audited.

:meth:`Platform.authorise` asks :func:`econsec.access.policy.decide`, appends the decision to the
audit chain in its own transaction (so a refusal is recorded even though the request fails) and
raises :class:`AccessDenied` when refused. Routes call it and nothing else decides access.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from econsec.access.policy import Classification, Decision, Resource, Subject, decide
from econsec.errors import AccessDenied
from econsec.service.journal import AuditJournal
from econsec.service.settings import ServiceSettings
from econsec.sharing.compartments import compartment_of
from econsec.sharing.findings import Finding, SupplierLink, find
from econsec.storage import platform as store
from econsec.storage.platform_db import connect, submissions
from econsec.storage.sealing import KeyRing

__all__ = ["Platform", "token_hash"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hasher(profile: str) -> Any:
    from argon2 import PasswordHasher, profiles

    if profile == "fast":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


@dataclass
class Platform:
    settings: ServiceSettings
    engine: sa.Engine = field(init=False)
    _reader: sa.Engine = field(init=False)
    _writing: threading.Lock | None = field(init=False)
    _lock_file: int | None = field(init=False)
    _journal: AuditJournal = field(init=False)
    hasher: Any = field(init=False)
    _cache: tuple[Any, list[Finding], float] | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        url = self.settings.database_url
        self.engine = connect(url)
        sqlite = url.startswith("sqlite")
        self._reader = connect(url, write=False)
        # SQLite has one writer at a time. Writers queue here — a thread lock within the process,
        # a file lock across worker processes — rather than in SQLite's busy handler, which
        # polls with sleeps of up to 100 ms.
        self._writing = threading.Lock() if sqlite else None
        database = self.engine.url.database
        self._lock_file = (
            os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
            if sqlite and database
            else None
        )
        self.hasher = _hasher(self.settings.password_profile)
        self._journal = AuditJournal(self.write)

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction (committed on success, rolled back on error)."""
        with self._writing or contextlib.nullcontext():
            if self._lock_file is not None:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                with self.engine.begin() as conn:
                    yield conn
            finally:
                if self._lock_file is not None:
                    fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only connection (on SQLite: a deferred transaction, not the write lock)."""
        with self._reader.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self._journal.close()
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None
        self.engine.dispose()
        self._reader.dispose()

    @property
    def ring(self) -> KeyRing:
        return self.settings.data_keys

    def hash_password(self, password: str) -> str:
        return str(self.hasher.hash(password))

    def check_password(self, stored: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return bool(self.hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def subject(self, account: store.Account) -> Subject:
        return Subject(
            user=account.username,
            role=account.role,
            org=account.org_id,
            org_kind=account.org_kind,
            clearance=account.clearance,
            sector=account.sector,
            contributing=account.contributing,
        )

    def audit(self, actor: str, action: str, label: str, allowed: bool, reason: str) -> None:
        """Record a decision; returns once it is committed (group commit, see journal)."""
        self._journal.append((actor[:100], action, label[:200], allowed, reason))

    def authorise(self, subject: Subject, action: str, resource: Resource, label: str) -> Decision:
        """Decide, audit, and raise :class:`AccessDenied` when refused."""
        decision = decide(subject, action, resource, self.now())
        self.audit(subject.user, action, label, decision.allowed, decision.reason)
        if not decision.allowed:
            raise AccessDenied(decision.reason)
        return decision

    def visible_records(self, subject: Subject, sub: store.Submission) -> list[dict[str, Any]]:
        """The records of ``sub`` the policy lets ``subject`` read (decided per record)."""
        now = self.now()
        return [
            r
            for r in store.open_records(self.ring, sub)
            if decide(
                subject,
                "read",
                Resource(
                    "submission",
                    Classification(r["classification"]),
                    sub.org_id,
                    compartment_of(r.get("product")),
                ),
                now,
            ).allowed
        ]

    def findings(self, max_age: float = 0.0) -> list[Finding]:
        """Findings over all current supplier submissions, recomputed when submissions have
        changed — or, with ``max_age`` seconds, only when the last computation is older (for
        browsing while firms submit; releases always use fresh findings)."""
        with self._lock:
            if self._cache is not None and time.monotonic() - self._cache[2] < max_age:
                return self._cache[1]
        with self.read() as conn:
            version = conn.execute(  # every change adds a row or stamps a withdrawal
                sa.select(
                    sa.func.max(submissions.c.created_at), sa.func.max(submissions.c.withdrawn_at)
                )
            ).one()
            key = tuple(version)
            with self._lock:
                if self._cache is not None and self._cache[0] == key:
                    return self._cache[1]
            links = [
                SupplierLink(org, sector or "unknown", record)
                for org, sector, record in store.current_records(conn, self.ring, "suppliers")
            ]
        found = find(links)
        with self._lock:
            self._cache = (key, found, time.monotonic())
        return found

    def finding_resource(self, finding: Finding) -> Resource:
        return Resource("finding", finding.classification, None, finding.compartment)

    def releases_for(self, subject: Subject) -> list[dict[str, Any]]:
        """Released alerts the subject may read (one audited decision for the listing)."""
        now = self.now()
        with self.read() as conn:
            rows = store.release_rows(conn, self.ring, contributors=False)
        return [
            body
            for body, _ in rows
            if decide(
                subject,
                "read",
                Resource("release", Classification.SHARED, audience=body["audience"]),
                now,
            ).allowed
        ]

    def earlier_contributors(self, finding: Finding) -> Sequence[frozenset[str]]:
        """Contributor sets of earlier releases on the same kind, product and country.

        Wider than the same finding id on purpose: an entity's id can change as submissions
        come and go, and differencing must not slip through such a change.
        """
        with self.read() as conn:
            rows = store.release_rows(conn, self.ring)
        return [
            c
            for body, c in rows
            if (body["kind"], body["product"], body["country"])
            == (finding.kind, finding.product, finding.country)
        ]
