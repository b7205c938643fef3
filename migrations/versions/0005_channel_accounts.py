"""channel accounts of [[telegram.accounts]]

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

One row per channel and Telegram account of a worker (``channel_accounts``): which account
archives the channel, and which lost access to it while others still read it, so that
``tgmirror status`` shows it and such a loss is never taken for an erasure. Plain columns
only, the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_accounts',
    sa.Column('channel_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('account', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_accounts_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'account', name=op.f('pk_channel_accounts'))
    )


def downgrade() -> None:
    op.drop_table('channel_accounts')
