"""Reads and writes of the platform store, one function per operation, each on a connection
inside the caller's transaction.

Submissions keep their records sealed (:mod:`econsec.storage.sealing`) with the submission id as
associated data; only counts, kind, status, classification and compartments are in clear. A new
submission of a kind supersedes the organisation's current one of that kind (same lineage, next
version); withdrawal marks it withdrawn and keeps it for audit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from econsec.access.policy import Classification, Clearance
from econsec.errors import ConfigError, InputError, NotFoundError
from econsec.i18n import N_
from econsec.sharing.audit import chain_entry, verify
from econsec.sharing.compartments import compartment_of
from econsec.sharing.records import (
    Record,
    product_of,
    record_from_json,
    record_json,
    substantive,
)
from econsec.sharing.releases import Release, release_from_json
from econsec.storage.platform_db import (
    audit_log,
    benchmark_snapshots,
    disclosures,
    equipment_plans,
    organisations,
    privacy_budget,
    releases,
    sessions,
    submissions,
    survey_responses,
    users,
)
from econsec.storage.sealing import KeyRing

__all__ = [
    "Account",
    "AuditEntry",
    "Submission",
    "add_release",
    "add_submission",
    "all_accounts",
    "append_audit",
    "append_audits",
    "audit_entries",
    "create_org",
    "create_session",
    "create_user",
    "current_records",
    "deactivate_user",
    "delete_session",
    "get_submission",
    "list_submissions",
    "open_records",
    "org_kind",
    "release_rows",
    "reseal",
    "reseal_audit",
    "session_account",
    "set_clearance",
    "set_password",
    "spend_privacy",
    "user_by_name",
    "withdraw",
]

_ORDER = list(Classification)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in user with organisation and clearance, read fresh on every request."""

    user_id: str
    username: str
    role: str
    org_id: str
    org_name: str
    org_kind: str
    sector: str | None
    clearance: Clearance
    locale: str
    contributing: bool = False  # the organisation has a current submission (or plan)


@dataclass(frozen=True, slots=True)
class Submission:
    id: str
    org_id: str
    kind: str
    lineage: str
    version: int
    status: str
    classification: Classification
    compartments: tuple[str, ...]
    n_records: int
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None
    payload: str


def create_org(
    conn: sa.Connection, name: str, kind: str, sector: str | None, size: str | None = None
) -> str:
    if kind not in ("firm", "government", "operator"):
        raise InputError(
            f"unknown organisation kind {kind!r}", expected=N_("firm, government or operator")
        )
    if size not in (None, "small", "medium", "large"):
        raise InputError(f"unknown size class {size!r}", expected=N_("small, medium or large"))
    if conn.execute(sa.select(organisations.c.id).where(organisations.c.name == name)).first():
        raise InputError(f"an organisation named {name!r} exists already")
    org_id = str(uuid.uuid4())
    conn.execute(
        organisations.insert().values(
            id=org_id, name=name, kind=kind, sector=sector, size=size, created_at=now()
        )
    )
    return org_id


def org_kind(conn: sa.Connection, name: str) -> str | None:
    """The kind (firm or government) of the organisation named ``name``, or None."""
    row = conn.execute(sa.select(organisations.c.kind).where(organisations.c.name == name)).first()
    return None if row is None else str(row.kind)


def create_user(
    conn: sa.Connection,
    username: str,
    org_name: str,
    role: str,
    password_hash: str,
    clearance: Clearance | None = None,
    locale: str = "auto",
) -> str:
    org = conn.execute(
        sa.select(organisations.c.id).where(organisations.c.name == org_name)
    ).first()
    if org is None:
        raise NotFoundError(f"no organisation named {org_name!r} (create it with admin create-org)")
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
        raise InputError(f"a user named {username!r} exists already")
    user_id = str(uuid.uuid4())
    clearance = clearance or Clearance()
    conn.execute(
        users.insert().values(
            id=user_id,
            username=username,
            org_id=org.id,
            role=role,
            password_hash=password_hash,
            clearance_level=clearance.level,
            compartments=json.dumps(sorted(clearance.compartments)),
            valid_until=clearance.valid_until,
            designated_by=clearance.designated_by,
            revoked=clearance.revoked,
            active=True,
            locale=locale,
            created_at=now(),
        )
    )
    return user_id


def set_clearance(conn: sa.Connection, username: str, clearance: Clearance) -> None:
    done = conn.execute(
        users.update()
        .where(users.c.username == username)
        .values(
            clearance_level=clearance.level,
            compartments=json.dumps(sorted(clearance.compartments)),
            valid_until=clearance.valid_until,
            designated_by=clearance.designated_by,
            revoked=clearance.revoked,
        )
    )
    if done.rowcount == 0:
        raise NotFoundError(f"no user named {username!r}")


def _account(row: Any) -> Account:
    return Account(
        user_id=row.id,
        username=row.username,
        role=row.role,
        org_id=row.org_id,
        org_name=row.org_name,
        org_kind=row.kind,
        sector=row.sector,
        clearance=Clearance(
            level=row.clearance_level,
            compartments=frozenset(json.loads(row.compartments)),
            valid_until=row.valid_until,
            designated_by=row.designated_by,
            revoked=row.revoked,
        ),
        locale=row.locale,
        contributing=bool(row.contributing),
    )


_ACCOUNT = sa.select(
    users,
    organisations.c.name.label("org_name"),
    organisations.c.kind,
    organisations.c.sector,
    sa.or_(
        sa.exists().where(
            submissions.c.org_id == users.c.org_id,
            submissions.c.status == "current",
            submissions.c.substantive.is_(True),
        ),
        sa.exists().where(  # an operator's current equipment plan
            equipment_plans.c.org_id == users.c.org_id,
            equipment_plans.c.status != "superseded",
        ),
    ).label("contributing"),
).join(organisations, organisations.c.id == users.c.org_id)


def all_accounts(conn: sa.Connection) -> list[Account]:
    """Every active user's account."""
    rows = conn.execute(_ACCOUNT.where(users.c.active.is_(True)).order_by(users.c.username))
    return [_account(row) for row in rows]


def user_by_name(conn: sa.Connection, username: str) -> tuple[Account, str] | None:
    """The account and password hash of an active user."""
    row = conn.execute(
        _ACCOUNT.where(users.c.username == username, users.c.active.is_(True))
    ).first()
    return None if row is None else (_account(row), row.password_hash)


def create_session(conn: sa.Connection, user_id: str, token_hash: str, minutes: int) -> None:
    t = now()
    conn.execute(
        sessions.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            created_at=t,
            expires_at=t + dt.timedelta(minutes=minutes),
        )
    )


def session_account(conn: sa.Connection, token_hash: str) -> Account | None:
    row = conn.execute(
        _ACCOUNT.join(sessions, sessions.c.user_id == users.c.id).where(
            sessions.c.token_hash == token_hash,
            sessions.c.expires_at > now(),
            users.c.active.is_(True),
        )
    ).first()
    return None if row is None else _account(row)


def set_locale(conn: sa.Connection, user_id: str, locale: str) -> None:
    """The user's language (``auto``: the browser's preference)."""
    conn.execute(users.update().where(users.c.id == user_id).values(locale=locale))


def delete_session(conn: sa.Connection, token_hash: str) -> None:
    conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))


def _user_id(conn: sa.Connection, username: str) -> str:
    row = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no user named {username!r}")
    return str(row.id)


def set_password(conn: sa.Connection, username: str, password_hash: str) -> None:
    """Replace a user's password hash and end the user's sessions."""
    user_id = _user_id(conn, username)
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))
    conn.execute(sessions.delete().where(sessions.c.user_id == user_id))


def deactivate_user(conn: sa.Connection, username: str) -> None:
    """Deactivate a user (kept for audit) and end the user's sessions."""
    user_id = _user_id(conn, username)
    conn.execute(users.update().where(users.c.id == user_id).values(active=False))
    conn.execute(sessions.delete().where(sessions.c.user_id == user_id))


def _submission(row: Any) -> Submission:
    return Submission(
        id=row.id,
        org_id=row.org_id,
        kind=row.kind,
        lineage=row.lineage,
        version=row.version,
        status=row.status,
        classification=Classification(row.classification),
        compartments=tuple(json.loads(row.compartments)),
        n_records=row.n_records,
        created_at=row.created_at,
        withdrawn_at=row.withdrawn_at,
        payload=row.payload,
    )


def add_submission(
    conn: sa.Connection,
    ring: KeyRing,
    org_id: str,
    user_id: str,
    kind: str,
    records: Sequence[Record],
) -> Submission:
    """Store validated records as the organisation's new current submission of ``kind``."""
    previous = conn.execute(
        sa.select(submissions)
        .where(
            submissions.c.org_id == org_id,
            submissions.c.kind == kind,
            submissions.c.status == "current",
        )
        .with_for_update()
    ).first()
    sub_id = str(uuid.uuid4())
    lineage = previous.lineage if previous else sub_id
    version = previous.version + 1 if previous else 1
    if previous:
        conn.execute(
            submissions.update().where(submissions.c.id == previous.id).values(status="superseded")
        )
    worst = max((Classification(r.classification) for r in records), key=_ORDER.index)
    compartments = sorted(
        {compartment_of(product_of(r)) for r in records if r.classification == "CONFIDENTIAL"}
    )
    payload = ring.seal(json.dumps([record_json(r) for r in records]).encode(), sub_id.encode())
    conn.execute(
        submissions.insert().values(
            id=sub_id,
            org_id=org_id,
            kind=kind,
            lineage=lineage,
            version=version,
            status="current",
            classification=worst.value,
            compartments=json.dumps(compartments),
            n_records=len(records),
            substantive=substantive(kind, records),
            payload=payload,
            created_at=now(),
            created_by=user_id,
        )
    )
    found = get_submission(conn, sub_id)
    assert found is not None
    return found


def get_submission(conn: sa.Connection, sub_id: str) -> Submission | None:
    row = conn.execute(sa.select(submissions).where(submissions.c.id == sub_id)).first()
    return None if row is None else _submission(row)


def list_submissions(
    conn: sa.Connection,
    org_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Submission]:
    """Submissions, newest first: of one organisation, or all (to be filtered by the policy)."""
    query = (
        sa.select(submissions)
        .order_by(submissions.c.created_at.desc(), submissions.c.id)
        .limit(limit)
        .offset(offset)
    )
    if org_id is not None:
        query = query.where(submissions.c.org_id == org_id)
    if status is not None:
        query = query.where(submissions.c.status == status)
    return [_submission(r) for r in conn.execute(query)]


def withdraw(conn: sa.Connection, sub_id: str) -> Submission:
    conn.execute(
        submissions.update()
        .where(submissions.c.id == sub_id, submissions.c.status != "withdrawn")
        .values(status="withdrawn", withdrawn_at=now())
    )
    found = get_submission(conn, sub_id)
    assert found is not None
    return found


def open_records(ring: KeyRing, sub: Submission) -> list[Record]:
    """The records of a submission, unsealed."""
    data = json.loads(ring.open(sub.payload, sub.id.encode()))
    return [record_from_json(sub.kind, values) for values in data]


def current_records(
    conn: sa.Connection, ring: KeyRing, kind: str
) -> Iterator[tuple[str, str | None, Record]]:
    """(organisation id, sector, record) of every current submission of ``kind``."""
    rows = conn.execute(
        sa.select(submissions, organisations.c.sector)
        .join(organisations, organisations.c.id == submissions.c.org_id)
        .where(submissions.c.kind == kind, submissions.c.status == "current")
        .order_by(submissions.c.id)
    )
    for row in rows:
        for record in open_records(ring, _submission(row)):
            yield row.org_id, row.sector, record


def reseal(conn: sa.Connection, ring: KeyRing) -> int:
    """Re-encrypt every sealed value with the current key; the number changed."""
    changed = 0
    sealed_columns = ((submissions, "payload"), (releases, "contributors"),
                      (disclosures, "statistics"), (benchmark_snapshots, "body"))  # fmt: skip
    for table, column in sealed_columns:
        sealed = table.c[column]
        for row_id, token in conn.execute(sa.select(table.c.id, sealed)).all():
            if ring.key_id(token) != ring.current:
                plain = ring.open(token, row_id.encode())
                conn.execute(
                    table.update()
                    .where(table.c.id == row_id)
                    .values({column: ring.seal(plain, row_id.encode())})
                )
                changed += 1
    key = (survey_responses.c.survey_id, survey_responses.c.org_id)
    for survey_id, org_id, token in conn.execute(sa.select(*key, survey_responses.c.answers)):
        if ring.key_id(token) != ring.current:
            context = f"{survey_id}/{org_id}".encode()
            conn.execute(
                survey_responses.update()
                .where((key[0] == survey_id) & (key[1] == org_id))
                .values(answers=ring.seal(ring.open(token, context), context))
            )
            changed += 1
    return changed


def add_release(
    conn: sa.Connection,
    ring: KeyRing,
    release: Release,
    contributors: frozenset[str],
    user_id: str,
) -> Release:
    """Store a release with its (sealed) contributor set."""
    rel_id = release.id
    conn.execute(
        releases.insert().values(
            id=rel_id,
            finding_id=release.finding_id,
            audience=release.audience,
            body=json.dumps(dataclasses.asdict(release), ensure_ascii=False),
            contributors=ring.seal(json.dumps(sorted(contributors)).encode(), rel_id.encode()),
            created_at=now(),
            created_by=user_id,
        )
    )
    return release


def release_rows(
    conn: sa.Connection, ring: KeyRing, finding_id: str | None = None, contributors: bool = True
) -> list[tuple[Release, frozenset[str]]]:
    """Releases (body, contributor set), oldest first; of one finding when given. The sealed
    contributor sets are opened only when asked for (else empty)."""
    query = sa.select(releases).order_by(releases.c.created_at, releases.c.id)
    if finding_id is not None:
        query = query.where(releases.c.finding_id == finding_id)
    return [
        (
            release_from_json(json.loads(r.body)),
            frozenset(json.loads(ring.open(r.contributors, r.id.encode())))
            if contributors
            else frozenset(),
        )
        for r in conn.execute(query)
    ]


def spend_privacy(
    conn: sa.Connection, firms: frozenset[str], epsilon: float, budget: float
) -> float | None:
    """Charge ``epsilon`` to the lifetime budget of every firm whose data a release uses (one
    budget per firm, whatever the audience); the smallest remainder, or None (nothing charged)
    when any firm's would exceed ``budget``. Call inside the release's write transaction."""
    keys = sorted(f"firm:{org}" for org in firms)
    rows = conn.execute(
        sa.select(privacy_budget.c.audience, privacy_budget.c.spent)
        .where(privacy_budget.c.audience.in_(keys))
        .with_for_update()
    ).all()
    spent = {r.audience: float(r.spent) for r in rows}
    if any(spent.get(k, 0.0) + epsilon > budget + 1e-6 for k in keys):  # OpenDP rounds up
        return None
    for key in keys:
        if key in spent:
            conn.execute(privacy_budget.update().where(privacy_budget.c.audience == key)
                         .values(spent=spent[key] + epsilon))  # fmt: skip
        else:
            conn.execute(privacy_budget.insert().values(audience=key, spent=epsilon))
    return budget - max(spent.get(k, 0.0) for k in keys) - epsilon


def append_audit(
    conn: sa.Connection,
    ring: KeyRing,
    actor: str,
    action: str,
    resource: str,
    allowed: bool,
    reason: str,
) -> dict[str, Any]:
    """Append one entry to the chain, sealed with the key ring."""
    return append_audits(conn, ring, [(actor, action, resource, allowed, reason)])[0]


def append_audits(
    conn: sa.Connection, ring: KeyRing, entries: Sequence[tuple[str, str, str, bool, str]]
) -> list[dict[str, Any]]:
    """Append entries (actor, action, resource, allowed, reason) to the chain, in order, each
    sealed with the key ring's current key.

    Serialised: an advisory lock on PostgreSQL, the write lock that ``BEGIN IMMEDIATE`` took on
    SQLite.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7719)"))
    last = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)).first()
    previous = None if last is None else {"seq": last.seq, "hash": last.hash}
    at = now().isoformat()
    rows = []
    for actor, action, resource, allowed, reason in entries:
        previous = chain_entry(
            previous,
            ring,
            at=at,
            actor=actor,
            action=action,
            resource=resource,
            allowed=allowed,
            reason=reason,
        )
        rows.append(previous)
    conn.execute(audit_log.insert(), rows)
    return rows


def reseal_audit(conn: sa.Connection, ring: KeyRing, *, legacy: bool = False) -> int:
    """Seal the whole audit chain again with the current key — entries sealed with an older
    key, and with ``legacy`` a plain prefix written before econsec kept a key — after checking
    it as it stands; the entries sealed anew (0 when all already were). A chain that does not
    hold is left as it is and :class:`ConfigError` names its first bad entry."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7719)"))
    rows = [dict(r._mapping) for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))]
    bad = verify(rows, ring, legacy=legacy)
    if bad is not None:
        raise ConfigError(f"the audit log is broken at entry {bad}; it was left as it is")
    if all(r["hash"].startswith(f"{ring.current}.") for r in rows):
        return 0
    previous: dict[str, Any] | None = None
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("seq", "prev", "hash")}
        previous = chain_entry(previous, ring, **fields)
        conn.execute(audit_log.update().where(audit_log.c.seq == row["seq"])
                     .values(prev=previous["prev"], hash=previous["hash"]))  # fmt: skip
    return len(rows)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the audit chain (see :mod:`econsec.sharing.audit`)."""

    seq: int
    at: str
    actor: str
    action: str
    resource: str
    allowed: bool
    reason: str
    prev: str
    hash: str


def audit_entries(
    conn: sa.Connection, after: int = -1, limit: int | None = None
) -> list[AuditEntry]:
    """Entries after sequence number ``after``, in order (at most ``limit``)."""
    query = sa.select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [AuditEntry(**r._mapping) for r in conn.execute(query)]
