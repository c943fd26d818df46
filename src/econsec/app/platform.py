"""The running platform: store, keys, password hashing, and the one place where the access
policy is applied and audited.

:meth:`Platform.authorise` asks :func:`econsec.access.policy.decide`, appends the decision to the
audit chain in its own transaction (so a refusal is recorded even though the request fails) and
raises :class:`AccessDenied` when refused. The use cases of :mod:`econsec.app` call it, and
nothing else decides access.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from econsec.access.policy import Classification, Decision, Resource, Subject, decide
from econsec.app.journal import AuditJournal
from econsec.app.throttle import SignInThrottle
from econsec.errors import AccessDenied
from econsec.infrastructure.review import shared_vendor_findings
from econsec.sharing.compartments import compartment_of
from econsec.sharing.disclosure import Guard
from econsec.sharing.findings import Finding, SupplierLink, find
from econsec.sharing.ledger import Ledger
from econsec.sharing.records import Record, SupplierRecord, product_of
from econsec.sharing.releases import Release
from econsec.storage import platform as store
from econsec.storage.ledger import disclosures_since
from econsec.storage.plans import list_plans
from econsec.storage.platform_db import connect, equipment_plans, submissions
from econsec.storage.sealing import KeyRing

__all__ = ["Caller", "Platform", "PlatformSettings", "token_hash"]

log = logging.getLogger("econsec.app")


@dataclass(frozen=True)
class PlatformSettings:
    """The platform's settings (read from the environment by :func:`econsec.settings.load_settings`)."""

    workspace: Path
    database_url: str
    secret_key: str
    data_keys: KeyRing
    environment: str = "development"
    max_upload_bytes: int = 5_000_000
    token_minutes: int = 480
    guard: Guard = field(default_factory=Guard)
    findings_max_age: float = 5.0
    dp_budget: float = 3.0
    password_profile: str = "default"  # "fast" only in tests: cheap argon2 parameters
    signin_per_minute: int = 60  # sign-in attempts per client address
    lockout_failures: int = 5  # failed sign-ins of one account that lock it ...
    lockout_minutes: int = 15  # ... for this long
    hashing_slots: int = 4  # password hashes computed at once (each takes 64 MiB)
    benchmark_period: str = "month"  # day, week, month or quarter

    @property
    def production(self) -> bool:
        return self.environment == "production"


@dataclass(frozen=True, slots=True)
class Caller:
    """A signed-in user: the account read fresh from the store, as the policy's subject, and
    the hash of the session token."""

    account: store.Account
    subject: Subject
    token_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hasher(profile: str) -> Any:
    from argon2 import PasswordHasher, profiles

    if profile == "fast":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


@dataclass
class Platform:
    settings: PlatformSettings
    engine: sa.Engine = field(init=False)
    _reader: sa.Engine = field(init=False)
    _writing: threading.Lock | None = field(init=False)
    _lock_file: int | None = field(init=False)
    _journal: AuditJournal = field(init=False)
    hasher: Any = field(init=False)
    throttle: SignInThrottle = field(init=False)
    _hashing: threading.BoundedSemaphore = field(init=False)
    _cache: tuple[Any, list[Finding], float] | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _ledger: Ledger = field(default_factory=Ledger, init=False)
    _ledger_seq: int = field(default=0, init=False)
    _ledger_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        url = self.settings.database_url
        sqlite = url.startswith("sqlite")
        database = sa.make_url(url).database
        if sqlite and database and database != ":memory:":
            # owner only, before SQLite creates it (its -wal and -shm files follow its mode)
            os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(database, 0o600)
        self.engine = connect(url)
        self._reader = connect(url, write=False)
        # SQLite has one writer at a time. Writers queue here — a thread lock within the process,
        # a file lock across worker processes — rather than in SQLite's busy handler, which
        # polls with sleeps of up to 100 ms.
        self._writing = threading.Lock() if sqlite else None
        self._lock_file = (
            os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
            if sqlite and database
            else None
        )
        self.hasher = _hasher(self.settings.password_profile)
        s = self.settings
        self.throttle = SignInThrottle(s.signin_per_minute, s.lockout_failures, s.lockout_minutes)
        self._hashing = threading.BoundedSemaphore(s.hashing_slots)
        self._journal = AuditJournal(self.write, self.settings.data_keys)

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
        with self._hashing:  # each hash takes the profile's memory: a few at once
            return str(self.hasher.hash(password))

    def check_password(self, stored: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        with self._hashing:
            try:
                return bool(self.hasher.verify(stored, password))
            except (VerificationError, InvalidHashError):
                return False

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    @contextlib.contextmanager
    def ledger(self) -> Iterator[Ledger]:
        """The release ledger, brought up to date with the disclosures committed to the store
        since last time, and held for one audit at a time in this process."""
        with self._ledger_lock:
            with self.read() as conn:
                for seq, stats in disclosures_since(conn, self.ring, self._ledger_seq):
                    for s in stats:
                        self._ledger.add(s)
                    self._ledger_seq = seq
            yield self._ledger

    def caller(self, token: str) -> Caller | None:
        """The caller a session token belongs to, or None (unknown, expired or deactivated)."""
        with self.read() as conn:
            account = store.session_account(conn, token_hash(token))
        return (
            None if account is None else Caller(account, self.subject(account), token_hash(token))
        )

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
            log.info("refused %s %s to %s: %s", action, label, subject.user, decision.reason)
            raise AccessDenied(decision.reason)
        return decision

    def visible_records(self, subject: Subject, sub: store.Submission) -> list[Record]:
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
                    Classification(r.classification),
                    sub.org_id,
                    compartment_of(product_of(r)),
                ),
                now,
            ).allowed
        ]

    def findings(self, max_age: float = 0.0) -> list[Finding]:
        """Findings over all current supplier submissions and operators' equipment plans (the
        ``shared_vendor`` findings), recomputed when submissions or plans have
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
            plans_version = conn.execute(  # a plan filed, revised or reviewed
                sa.select(sa.func.max(equipment_plans.c.created_at),
                          sa.func.max(equipment_plans.c.updated_at))
            ).one()  # fmt: skip
            key = (*version, *plans_version)
            with self._lock:
                if self._cache is not None and self._cache[0] == key:
                    return self._cache[1]
            links = [
                SupplierLink(org, sector or "unknown", record)
                for org, sector, record in store.current_records(conn, self.ring, "suppliers")
                if isinstance(record, SupplierRecord)
            ]
            plans = [(q.org_id, q.sector, q.records or ())
                     for q in list_plans(conn, self.ring, records=True)]  # fmt: skip
        found = find(links) + shared_vendor_findings(plans)
        with self._lock:
            self._cache = (key, found, time.monotonic())
        return found

    def finding_resource(self, finding: Finding) -> Resource:
        return Resource("finding", finding.classification, None, finding.compartment)

    def releases_for(self, subject: Subject) -> list[Release]:
        """Released alerts the subject may read (decided per release)."""
        now = self.now()
        with self.read() as conn:
            rows = store.release_rows(conn, self.ring, contributors=False)
        return [
            release
            for release, _ in rows
            if decide(
                subject,
                "read",
                Resource("release", Classification.SHARED, audience=release.audience),
                now,
            ).allowed
        ]

    def earlier_releases(self, finding: Finding) -> list[tuple[Release, frozenset[str]]]:
        """Earlier releases (with their contributor sets) on the same kind, product and country.

        Wider than the same finding id on purpose: an entity's id can change as submissions
        come and go, and differencing must not slip through such a change.
        """
        with self.read() as conn:
            rows = store.release_rows(conn, self.ring)
        return [
            (release, c)
            for release, c in rows
            if (release.kind, release.product, release.country)
            == (finding.kind, finding.product, finding.country)
        ]

    def earlier_contributors(self, finding: Finding) -> Sequence[frozenset[str]]:
        """The contributor sets of :meth:`earlier_releases`."""
        return [c for _, c in self.earlier_releases(finding)]
