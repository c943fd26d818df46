"""Critical-infrastructure equipment plans and their reviews (records sealed with the plan's id).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "equipment_plans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("lineage", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("review", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_equipment_plans_sector_status", "equipment_plans", ["sector", "status"])
    op.create_index("ix_equipment_plans_org", "equipment_plans", ["org_id"])


def downgrade() -> None:
    op.drop_table("equipment_plans")
