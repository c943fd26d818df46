"""Indexes for the queries that run on every request: whether an organisation contributes,
its submissions newest first, current submissions of a kind (mash-up, benchmarks) and the
newest change (the findings cache key).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_kind_status", "submissions", ["kind", "status"])
    op.create_index("ix_submissions_org_status", "submissions", ["org_id", "status"])
    op.create_index("ix_submissions_org_created_at", "submissions", ["org_id", "created_at"])
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    op.create_index("ix_submissions_withdrawn_at", "submissions", ["withdrawn_at"])


def downgrade() -> None:
    for name in (
        "ix_submissions_withdrawn_at",
        "ix_submissions_created_at",
        "ix_submissions_org_created_at",
        "ix_submissions_org_status",
        "ix_submissions_kind_status",
    ):
        op.drop_index(name, "submissions")
