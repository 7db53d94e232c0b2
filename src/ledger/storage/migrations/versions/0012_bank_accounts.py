"""bank accounts, one per currency (the supplier's single account moves into one); time zone

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from ledger.storage import audit_chain
from ledger.storage.migrate import MIGRATION_SOURCE, backfill

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The settings had no currency of their own: their amounts were Czech crowns, and a
# Czech account number only ever paid CZK invoices.
MOVED_CURRENCY = "CZK"
_ACCOUNT_COLUMNS = ("supplier_account_number", "supplier_iban", "supplier_bic")


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("account_number", sa.String(length=40), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("currency"),
    )
    _move_supplier_account()
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        for column in _ACCOUNT_COLUMNS:
            batch_op.drop_column(column)
        # Empty until chosen: the settings then show the machine's zone.
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="")
        )


def _move_supplier_account() -> None:
    """The settings' account becomes the CZK account, audited like any other insert."""
    conn = op.get_bind()
    found = conn.execute(
        sa.text(
            "SELECT supplier_account_number, supplier_iban, supplier_bic FROM app_settings "
            "WHERE supplier_account_number <> '' OR supplier_iban <> '' ORDER BY id LIMIT 1"
        )
    ).first()
    if found is None:
        return
    row = {
        "id": 1, "currency": MOVED_CURRENCY, "label": "",
        "account_number": found[0], "iban": found[1], "bic": found[2],
    }  # fmt: skip
    key = context.config.attributes.get("audit_key")
    if not isinstance(key, bytes):
        raise RuntimeError("moving the supplier's account needs the audit key to record it")
    with backfill(conn):
        conn.execute(
            sa.text(
                "INSERT INTO bank_accounts (id, currency, label, account_number, iban, bic) "
                "VALUES (:id, :currency, :label, :account_number, :iban, :bic)"
            ),
            row,
        )
        change = audit_chain.Change("bank_accounts", "1", "insert", None, row)
        audit_chain.append(conn, key, MIGRATION_SOURCE, None, [change])
    if conn.dialect.name == "postgresql":  # the next account must not reuse id 1
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('bank_accounts', 'id'), 1)"))


def downgrade() -> None:
    with op.batch_alter_table("app_settings", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.add_column(
            sa.Column("supplier_iban", sa.String(34), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("supplier_bic", sa.String(11), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("supplier_account_number", sa.String(40), nullable=False, server_default="")
        )
    with backfill(op.get_bind()):
        op.execute(
            "UPDATE app_settings SET "
            "supplier_account_number = COALESCE((SELECT account_number FROM bank_accounts "
            "WHERE currency = 'CZK'), ''), "
            "supplier_iban = COALESCE((SELECT iban FROM bank_accounts WHERE currency = 'CZK'), ''), "
            "supplier_bic = COALESCE((SELECT bic FROM bank_accounts WHERE currency = 'CZK'), '')"
        )
    op.drop_table("bank_accounts")
