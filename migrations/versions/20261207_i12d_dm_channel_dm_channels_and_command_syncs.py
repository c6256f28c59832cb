"""dm channels and command syncs: DM channel ids kept across restarts, synced payload hashes

Revision ID: i12d_dm_channel
Revises: 0003deliveryidx
Create Date: 2026-12-07 10:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import coachbot.db.types


revision: str = 'i12d_dm_channel'
down_revision: str | None = 'i12s_uploads'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'dm_channel',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('opened_at', coachbot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['person_id'], ['person.id'], name=op.f('fk_dm_channel_person_id_person'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dm_channel')),
        sa.UniqueConstraint('platform', 'user_id', name=op.f('uq_dm_channel_platform')),
    )
    with op.batch_alter_table('dm_channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dm_channel_person_id'), ['person_id'], unique=False)
    op.create_table(
        'command_sync',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('payload_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('synced_at', coachbot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_command_sync')),
        sa.UniqueConstraint('platform', 'target', name=op.f('uq_command_sync_platform')),
    )


def downgrade() -> None:
    op.drop_table('command_sync')
    with op.batch_alter_table('dm_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dm_channel_person_id'))
    op.drop_table('dm_channel')
