"""counter versions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

``messages.counter_versions``: for each counter (views, forwards, replies, reactions) the
edit date of the capture it came from, when that is not the row's current version. It lets
``save_messages`` refuse to move a counter to an older capture whatever order captures
arrive in. NULL (every counter from the current version) for rows that exist already.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('counter_versions', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('counter_versions')
