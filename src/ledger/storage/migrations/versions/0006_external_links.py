"""external links for two-way sync; sync runs held by a lease

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("upstream_state", sa.String(length=64), nullable=False),
        sa.Column("pushed_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("external_links", schema=None) as batch_op:
        batch_op.create_index(
            "ux_external_links_upstream", ["plugin", "entity", "external_id"], unique=True
        )
        batch_op.create_index(
            "ux_external_links_object", ["plugin", "entity", "object_id"], unique=True
        )

    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("recovered_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("recovered_by", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("recovered_by")
        batch_op.drop_column("recovered_at")
        batch_op.drop_column("lease_expires_at")
    with op.batch_alter_table("external_links", schema=None) as batch_op:
        batch_op.drop_index("ux_external_links_object")
        batch_op.drop_index("ux_external_links_upstream")
    op.drop_table("external_links")
