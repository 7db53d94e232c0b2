"""Alembic environment: runs on the connection `ledger.storage.migrate` hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import ledger.storage.tables  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
