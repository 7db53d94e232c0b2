"""indexes that keep the dashboard cheap right after a change

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OPEN = "invoice_id IS NULL"
OPEN_BEFORE = ["project_id", "kind", "hourly_rate_minor", "billable", "minutes", "amount_minor"]
OPEN_AFTER = ["billable", "project_id", "kind", "hourly_rate_minor", "minutes", "amount_minor"]
CASH = ["kind", "booked_on", "currency", "amount_minor"]


def upgrade() -> None:
    # Billable first: a search for billable open rows skips the non-billable ones,
    # which are never billed and so pile up in this partial index over the years.
    _open_index(OPEN_AFTER)
    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.create_index("ix_money_transactions_cash", CASH, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_money_transactions_cash")
    _open_index(OPEN_BEFORE)


def _open_index(columns: list[str]) -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_open")
        batch_op.create_index(
            "ix_work_entries_open",
            [*columns, "invoice_id"],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
