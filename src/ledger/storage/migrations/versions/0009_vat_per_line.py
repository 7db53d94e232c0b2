"""VAT per invoice line, the invoice's VAT regime, the supplier's VAT registration

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledger.storage.migrate import backfill

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vat_rate_bp", sa.Integer(), nullable=True))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vat_mode", sa.String(length=15), nullable=False, server_default="none")
        )
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vat_payer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("default_vat_rate_bp", sa.Integer(), nullable=True))
    # An invoice that had a rate charged VAT on every line at that rate; one without
    # charged none. A supplier with a VAT id is taken to be registered for VAT.
    with backfill(op.get_bind()):
        _fill_vat_columns()


def _fill_vat_columns() -> None:
    op.execute("UPDATE invoices SET vat_mode = 'vat' WHERE vat_rate_bp IS NOT NULL")
    op.execute(
        "UPDATE invoice_lines SET vat_rate_bp = (SELECT invoices.vat_rate_bp FROM invoices "
        "WHERE invoices.id = invoice_lines.invoice_id)"
    )
    op.execute(
        "UPDATE app_settings SET vat_payer = (supplier_vat_id <> ''), "
        "default_vat_rate_bp = CASE WHEN supplier_vat_id <> '' THEN 2100 END"
    )


def downgrade() -> None:
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        batch_op.drop_column("default_vat_rate_bp")
        batch_op.drop_column("vat_payer")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("vat_mode")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_column("vat_rate_bp")
