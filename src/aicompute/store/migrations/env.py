"""Alembic environment: runs on the connection aicompute's Store passes in."""

from alembic import context

from aicompute.store.db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
