"""delivery leases: claimed_until (database clock) and the index of live rows

Revision ID: i11_leases
Revises: i12d_dm_channel
Create Date: 2026-12-07 14:00:00

``subscription.next_due_at`` no longer carries a lease marker: rows still ``claimed`` by
the old engine get a lease that ends at once, so the first tick takes them over (same tip,
same nonce); their subscriptions' markers are already past, so the next claim finds the
day's row and moves on to the next occurrence.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = 'i11_leases'
down_revision: str | None = 'i12d_dm_channel'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('claimed', 'sending', 'retry')"


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('claimed_until', coachbot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE delivery SET claimed_until = due_at WHERE status = 'claimed'")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(
            'ix_delivery_lease',
            ['claimed_until'],
            unique=False,
            postgresql_where=sa.text(LIVE),
            sqlite_where=sa.text(LIVE),
        )


def downgrade() -> None:
    op.execute("UPDATE delivery SET status = 'claimed' WHERE status IN ('sending', 'retry')")
    op.execute("UPDATE delivery SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_lease')
        batch_op.drop_column('claimed_until')
