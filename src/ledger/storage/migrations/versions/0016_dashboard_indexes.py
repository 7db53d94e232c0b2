"""indexes the dashboard and every logged-in page read through at 200,000 entries

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BILLED = "invoice_id IS NOT NULL"
OPEN = "invoice_id IS NULL"
EARNINGS = ["invoice_id", "date", "project_id", "billed_amount_minor"]
INVOICES_OPEN = ["status", "due_date", "kind", "currency", "total_minor"]
INVOICES_ISSUED = ["status", "issue_date", "currency", "client_id", "total_minor"]
OPEN_COLUMNS = ["project_id", "kind", "hourly_rate_minor", "billable", "minutes", "amount_minor"]


def upgrade() -> None:
    # Billed entries only: a query for unbilled ones (`invoice_id IS NULL`) then takes
    # the partial ix_work_entries_open instead of this index's NULL range.
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_earnings")
        batch_op.create_index(
            "ix_work_entries_earnings",
            EARNINGS,
            unique=False,
            sqlite_where=sa.text(BILLED),
            postgresql_where=sa.text(BILLED),
        )
        # With invoice_id, the unbilled sums read the index alone: SQLite reads the
        # table for a column of the partial index's WHERE that the index lacks.
        batch_op.drop_index("ix_work_entries_open")
        batch_op.create_index(
            "ix_work_entries_open",
            [*OPEN_COLUMNS, "invoice_id"],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_open", INVOICES_OPEN, unique=False)
        batch_op.create_index("ix_invoices_issued", INVOICES_ISSUED, unique=False)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_settled", ["invoice_id", "amount_minor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_settled")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_issued")
        batch_op.drop_index("ix_invoices_open")
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_work_entries_earnings")
        batch_op.create_index("ix_work_entries_earnings", EARNINGS, unique=False)
        batch_op.drop_index("ix_work_entries_open")
        batch_op.create_index(
            "ix_work_entries_open",
            OPEN_COLUMNS,
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
