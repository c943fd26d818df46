"""The platform store: organisations, users, sessions, submissions, releases and the audit log.

SQLAlchemy Core tables on SQLite (embedded default, a file in the workspace) or PostgreSQL
(``ECONSEC_DATABASE_URL``). The schema is owned by Alembic migrations (:func:`migrate`); the
tables here describe it for queries and a test checks that the two agree.

SQLite runs in WAL mode. Write transactions start with ``BEGIN IMMEDIATE``: taking the write
lock up front lets concurrent writers wait instead of failing on a lock upgrade; readers use a
second engine with deferred transactions and never wait for the writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = [
    "audit_log",
    "benchmark_snapshots",
    "connect",
    "disclosures",
    "equipment_plans",
    "incidents",
    "metadata",
    "migrate",
    "organisations",
    "privacy_budget",
    "releases",
    "sessions",
    "submissions",
    "survey_responses",
    "surveys",
    "trade_events",
    "users",
]

metadata = sa.MetaData()
_TS = sa.DateTime(timezone=True)

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("sector", sa.String(40)),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("size", sa.String(10)),  # small, medium, large (survey weights)
)
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("clearance_level", sa.String(20), nullable=False),
    sa.Column("compartments", sa.Text, nullable=False),
    sa.Column("valid_until", sa.Date),
    sa.Column("designated_by", sa.String(200), nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
)
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
)
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("lineage", sa.String(36), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("classification", sa.String(20), nullable=False),
    sa.Column("compartments", sa.Text, nullable=False),
    sa.Column("n_records", sa.Integer, nullable=False),
    # counts for "contributing" (see econsec.sharing.records.substantive)
    sa.Column("substantive", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("withdrawn_at", _TS),
    sa.UniqueConstraint("lineage", "version", name="uq_submissions_lineage_version"),
    sa.Index("ix_submissions_org_kind_status", "org_id", "kind", "status"),
    sa.Index("ix_submissions_kind_status", "kind", "status"),
    sa.Index("ix_submissions_org_status", "org_id", "status"),
    sa.Index("ix_submissions_org_created_at", "org_id", "created_at"),
    sa.Index("ix_submissions_created_at", "created_at"),
    sa.Index("ix_submissions_withdrawn_at", "withdrawn_at"),
)
releases = sa.Table(
    "releases",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("finding_id", sa.String(32), nullable=False, index=True),
    sa.Column("audience", sa.String(60), nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("contributors", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
)
privacy_budget = sa.Table(
    "privacy_budget",
    metadata,
    sa.Column("audience", sa.String(60), primary_key=True),
    sa.Column("spent", sa.Float, nullable=False),
)
disclosures = sa.Table(
    "disclosures",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("statistics", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
)
benchmark_snapshots = sa.Table(
    "benchmark_snapshots",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("sector", sa.String(40), nullable=False, index=True),
    sa.Column("period", sa.String(20), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
)
incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
    sa.Column("updated_by", sa.String(36), nullable=False),
)
trade_events = sa.Table(
    "trade_events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
)
equipment_plans = sa.Table(
    "equipment_plans",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("sector", sa.String(40), nullable=False),
    sa.Column("lineage", sa.String(36), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # the records, sealed with the plan's id
    sa.Column("review", sa.Text, nullable=False),  # the review's steps (JSON)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
    sa.Index("ix_equipment_plans_sector_status", "sector", "status"),
    sa.Index("ix_equipment_plans_org", "org_id"),
)
#: Reminders sent to reviewers before a plan's deadline: one per plan, deadline and reviewer.
plan_reminders = sa.Table(
    "plan_reminders",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("plan_id", sa.String(36), sa.ForeignKey("equipment_plans.id"), nullable=False),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("sent_at", _TS, nullable=False),
    sa.Column("read_at", _TS),
    sa.UniqueConstraint("plan_id", "deadline", "user_id", name="uq_plan_reminders_once"),
    sa.Index("ix_plan_reminders_user", "user_id"),
)
surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("audience", sa.String(60), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("closed_at", _TS),
    sa.Column("results", sa.Text),
)
survey_responses = sa.Table(
    "survey_responses",
    metadata,
    sa.Column("survey_id", sa.String(36), sa.ForeignKey("surveys.id"), primary_key=True),
    sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), primary_key=True),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
)
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("resource", sa.String(200), nullable=False),
    sa.Column("allowed", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("prev", sa.String(120), nullable=False),
    sa.Column("hash", sa.String(120), nullable=False),
)


def connect(url: str, *, write: bool = True) -> sa.Engine:
    """An engine for ``url`` (``sqlite:///FILE`` or ``postgresql+psycopg://…``).

    ``write=False`` gives an engine for reads: on SQLite its transactions begin deferred
    (readers in WAL mode do not wait for the writer), on PostgreSQL it runs in autocommit. The
    default engine is for write transactions; on SQLite it takes the write lock at ``BEGIN``.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=40,  # as many as the service's worker threads: no connection churn
            max_overflow=10,
        )

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # SQLAlchemy issues BEGIN itself, below
            cursor = dbapi.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # No pre-ping: it costs a round trip per checkout. When the server restarts, the first
    # statement on a dead connection fails (the service answers 503) and SQLAlchemy discards the
    # whole pool, so later requests reconnect by themselves.
    if not write:  # reads: no BEGIN and ROLLBACK round trips around each request's query
        return sa.create_engine(url, pool_size=20, max_overflow=20, isolation_level="AUTOCOMMIT")
    return sa.create_engine(url, pool_size=20, max_overflow=20)


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the packaged Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
