"""The differential-privacy budget spent per release audience.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_budget",
        sa.Column("audience", sa.String(60), primary_key=True),
        sa.Column("spent", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("privacy_budget")
