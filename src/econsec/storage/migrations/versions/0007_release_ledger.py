"""The release ledger (every statistic shown outside the cleared circle, with its sealed terms),
benchmark snapshots, and survey results kept as published at closing.

Releases made before have no recorded values; the guard's differencing against their
contributor sets still applies to them.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("statistics", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
    )
    op.create_table(
        "benchmark_snapshots",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_benchmark_snapshots_sector", "benchmark_snapshots", ["sector"])
    op.add_column("surveys", sa.Column("results", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.drop_column("results")
    op.drop_table("benchmark_snapshots")
    op.drop_table("disclosures")
