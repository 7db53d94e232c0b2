"""payment matching

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_entries_open",
            ["project_id", "kind", "hourly_rate_minor", "billable", "minutes", "amount_minor"],
            unique=False,
            sqlite_where=sa.text("invoice_id IS NULL"),
            postgresql_where=sa.text("invoice_id IS NULL"),
        )
    op.create_table(
        "match_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("allocations", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["money_transactions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("transaction_id", "allocations"),
    )
    with op.batch_alter_table("match_suggestions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_suggestions_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_match_suggestions_transaction_id"), ["transaction_id"], unique=False
        )

    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=False, server_default="{}"))
        batch_op.create_index(
            batch_op.f("ix_payments_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_work_entries_open",
            sqlite_where=sa.text("invoice_id IS NULL"),
            postgresql_where=sa.text("invoice_id IS NULL"),
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_transaction_id"))
        batch_op.drop_column("evidence")

    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.drop_column("match_locked")

    with op.batch_alter_table("match_suggestions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_suggestions_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_match_suggestions_status"))

    op.drop_table("match_suggestions")
