"""indexes that keep the dashboard cheap right after a change, and monthly earnings
summed per invoice and project without a sort

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
BILLED = "invoice_id IS NOT NULL"
EARNINGS_BEFORE = ["invoice_id", "date", "project_id", "billed_amount_minor"]
EARNINGS_AFTER = ["invoice_id", "project_id", "date", "billed_amount_minor"]
OPEN_BEFORE = ["project_id", "kind", "hourly_rate_minor", "billable", "minutes", "amount_minor"]
OPEN_AFTER = ["billable", "project_id", "kind", "hourly_rate_minor", "minutes", "amount_minor"]
CASH = ["kind", "booked_on", "currency", "amount_minor"]


def upgrade() -> None:
    # Billable first: a search for billable open rows skips the non-billable ones,
    # which are never billed and so pile up in this partial index over the years.
    _partial_index("ix_work_entries_open", [*OPEN_AFTER, "invoice_id"], OPEN)
    # Entries in invoice and project order: monthly earnings sums them without a sort.
    _partial_index("ix_work_entries_earnings", EARNINGS_AFTER, BILLED)
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_date")
        batch_op.create_index("ix_work_entries_date", ["date", "minutes"], unique=False)
    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.create_index("ix_money_transactions_cash", CASH, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("money_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_money_transactions_cash")
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_date")
        batch_op.create_index("ix_work_entries_date", ["date"], unique=False)
    _partial_index("ix_work_entries_earnings", EARNINGS_BEFORE, BILLED)
    _partial_index("ix_work_entries_open", [*OPEN_BEFORE, "invoice_id"], OPEN)


def _partial_index(name: str, columns: list[str], where: str) -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index(name)
        batch_op.create_index(
            name,
            columns,
            unique=False,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
