"""credit notes: an invoice's kind, what it corrects and why, the credited lines

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), nullable=False, server_default="invoice")
        )
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_invoices_corrects_id", ["corrects_id"], unique=False)
        batch_op.create_foreign_key("fk_invoices_corrects_id", "invoices", ["corrects_id"], ["id"])
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credits_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_invoice_lines_credits_line_id", ["credits_line_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_invoice_lines_credits_line_id", "invoice_lines", ["credits_line_id"], ["id"]
        )
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "credit_note_pattern",
                sa.String(length=60),
                nullable=False,
                server_default="D{year}-{seq:04d}",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        batch_op.drop_column("credit_note_pattern")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invoice_lines_credits_line_id", type_="foreignkey")
        batch_op.drop_index("ix_invoice_lines_credits_line_id")
        batch_op.drop_column("credits_line_id")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invoices_corrects_id", type_="foreignkey")
        batch_op.drop_index("ix_invoices_corrects_id")
        batch_op.drop_column("reason")
        batch_op.drop_column("corrects_id")
        batch_op.drop_column("kind")
