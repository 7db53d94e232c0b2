"""an index for the running timer

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RUNNING = "started_at IS NOT NULL AND ended_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_entries_running",
            ["id"],
            unique=False,
            sqlite_where=sa.text(RUNNING),
            postgresql_where=sa.text(RUNNING),
        )


def downgrade() -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_running")
