"""follow mode and freshness of each channel

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03

Three columns of ``sync_state``: ``follow_mode`` (how ``tgmirror run`` follows the channel:
``join`` or ``poll``, as it last decided), ``joined_account`` (the account that joined it, so
that it joins once) and ``last_check_at`` (the last successful look at the channel's new
posts, edits and deletions: its freshness in ``tgmirror status``). Plain nullable columns,
the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_state') as batch:
        batch.add_column(sa.Column('follow_mode', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('joined_account', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('last_check_at', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_state') as batch:
        batch.drop_column('last_check_at')
        batch.drop_column('joined_account')
        batch.drop_column('follow_mode')
