"""Alembic environment: runs on the connection that :func:`econsec.storage.platform_db.migrate`
passes in (there is no alembic.ini)."""

from alembic import context

from econsec.storage.platform_db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
