"""per-account access hashes and account notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

``channel_accounts.access_hash``: the channel's access hash for that account (Telegram gives
each account its own), so that a restart addresses every channel by id without resolving a
username. ``account_notices``: what Telegram asked of an account's user (confirm a takeout
on another device), shown by ``tgmirror status`` until it no longer applies.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_accounts') as batch:
        batch.add_column(sa.Column('access_hash', sa.BigInteger(), nullable=True))
    op.create_table('account_notices',
    sa.Column('account', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('until', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'kind', name=op.f('pk_account_notices'))
    )


def downgrade() -> None:
    op.drop_table('account_notices')
    with op.batch_alter_table('channel_accounts') as batch:
        batch.drop_column('access_hash')
