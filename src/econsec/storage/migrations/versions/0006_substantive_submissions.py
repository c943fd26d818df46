"""Which submissions make their firm a contributor: ``substantive`` (a supplier list with a
direct input share; see ``econsec.sharing.records.substantive``). Supplier submissions stored
before are taken as substantive (their records are sealed; the next submission decides anew).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "submissions",
        sa.Column("substantive", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE submissions SET substantive = (kind = 'suppliers')")


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("substantive")
