"""The newest schema revision, as a plain constant: a command that checks it before
the ORM loads (`ledger.storage.sqlite_snapshot`) imports nothing else."""

HEAD_REVISION = "0017"
"""The newest migration; a test keeps it equal to Alembic's head."""
