"""login and portal throttles in the database, and live sync progress on the run row,
shared by every worker

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_windows",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_hash"),
    )
    with op.batch_alter_table("throttle_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_throttle_windows_window_start"), ["window_start"], unique=False
        )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_done", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("progress_total", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("progress_message", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        for column in ("progress_message", "progress_total", "progress_done"):
            batch_op.drop_column(column)
    with op.batch_alter_table("throttle_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_throttle_windows_window_start"))

    op.drop_table("throttle_windows")
