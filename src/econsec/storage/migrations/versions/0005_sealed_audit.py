"""The audit chain sealed with a key: room for ``<key id>.<HMAC>`` in ``prev`` and ``hash``.
(The entries themselves are re-sealed by the platform, which holds the key: see
``econsec.app.audit.anchor``.)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        for column in ("prev", "hash"):
            batch.alter_column(column, type_=sa.String(120), existing_type=sa.String(64),
                               existing_nullable=False)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        for column in ("prev", "hash"):
            batch.alter_column(column, type_=sa.String(64), existing_type=sa.String(120),
                               existing_nullable=False)  # fmt: skip
