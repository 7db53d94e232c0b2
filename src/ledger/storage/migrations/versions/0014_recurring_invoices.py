"""recurring invoices: templates with lines, and the period each invoice was made for

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurring_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("interval", sa.String(length=10), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=False),
        sa.Column("anchor_day", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recurring_templates_client_id", "recurring_templates", ["client_id"])
    op.create_table(
        "recurring_template_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity_milli", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["template_id"], ["recurring_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_recurring_template_lines_template_id", "recurring_template_lines", ["template_id"]
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recurring_template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period_start", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_invoices_recurring_template_id", ["recurring_template_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_invoices_recurring_template_id",
            "recurring_templates",
            ["recurring_template_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            "uq_invoices_recurring_period", ["recurring_template_id", "period_start"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invoices_recurring_period", type_="unique")
        batch_op.drop_constraint("fk_invoices_recurring_template_id", type_="foreignkey")
        batch_op.drop_index("ix_invoices_recurring_template_id")
        batch_op.drop_column("period_start")
        batch_op.drop_column("recurring_template_id")
    op.drop_index("ix_recurring_template_lines_template_id", "recurring_template_lines")
    op.drop_table("recurring_template_lines")
    op.drop_index("ix_recurring_templates_client_id", "recurring_templates")
    op.drop_table("recurring_templates")
