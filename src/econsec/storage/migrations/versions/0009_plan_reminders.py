"""Reminders sent to reviewers before a plan's deadline.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_reminders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("plan_id", sa.String(36), sa.ForeignKey("equipment_plans.id"), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("plan_id", "deadline", "user_id", name="uq_plan_reminders_once"),
    )
    op.create_index("ix_plan_reminders_user", "plan_reminders", ["user_id"])


def downgrade() -> None:
    op.drop_table("plan_reminders")
