"""channel leases of tgmirror run --worker-id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

One row per channel a worker archives (``channel_leases``): several ``tgmirror run`` workers
on one database split the channels, each archived by exactly one worker at a time. Plain
columns only, the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_leases',
    sa.Column('channel_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('worker_id', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('renewed_at', sa.BigInteger(), nullable=False),
    sa.Column('taken_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_leases_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_channel_leases'))
    )
    with op.batch_alter_table('channel_leases', schema=None) as batch_op:
        batch_op.create_index('ix_channel_leases_worker_id', ['worker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('channel_leases', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_leases_worker_id')
    op.drop_table('channel_leases')
