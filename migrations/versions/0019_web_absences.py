"""Posts missing from t.me/s, being confirmed before they get a tombstone

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-03

``web_absences``: one row per post that t.me/s stopped showing in a range it showed it in
before, with the count of reads that confirmed it (the rule of a channel's erasure).
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_absences',
        sa.Column('channel_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('msg_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('signal_count', sa.Integer(), nullable=False),
        sa.Column('signal_first_at', sa.BigInteger(), nullable=False),
        sa.Column('signal_last_at', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['channel_id'],
            ['channels.id'],
            name=op.f('fk_web_absences_channel_id_channels'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('channel_id', 'msg_id', name=op.f('pk_web_absences')),
    )


def downgrade() -> None:
    op.drop_table('web_absences')
