"""The platform schema: organisations, users, sessions, submissions, releases, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sector", sa.String(40)),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "users",
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
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lineage", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("compartments", sa.Text, nullable=False),
        sa.Column("n_records", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("withdrawn_at", TS),
        sa.UniqueConstraint("lineage", "version", name="uq_submissions_lineage_version"),
    )
    op.create_index("ix_submissions_org_kind_status", "submissions", ["org_id", "kind", "status"])
    op.create_table(
        "releases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("finding_id", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(60), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("contributors", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
    )
    op.create_index("ix_releases_finding_id", "releases", ["finding_id"])
    op.create_index("ix_releases_audience", "releases", ["audience"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_log", "releases", "submissions", "sessions", "users", "organisations"):
        op.drop_table(table)
