"""Intelligence: the incident register, detected trade events, surveys and their responses,
and the size class of organisations (for survey weights).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("organisations", sa.Column("size", sa.String(10)))
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=False),
    )
    op.create_table(
        "trade_events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("audience", sa.String(60), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("closed_at", _TS),
    )
    op.create_table(
        "survey_responses",
        sa.Column("survey_id", sa.String(36), sa.ForeignKey("surveys.id"), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("survey_responses")
    op.drop_table("surveys")
    op.drop_table("trade_events")
    op.drop_table("incidents")
    op.drop_column("organisations", "size")
