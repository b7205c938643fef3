"""RFC 3161 time-stamp tokens of signed tree heads, and witness cosignatures

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

``evidence_timestamps``: one token per (signed head, time-stamping authority).
``evidence_cosignatures``: heads of other mirrors this archive witnessed, and witnesses'
cosignatures of this archive's heads.
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evidence_timestamps',
        sa.Column('tree_size', sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column('tsa_url', sa.String(500), primary_key=True),
        sa.Column('token', sa.LargeBinary, nullable=False),
        sa.Column('gen_time', sa.BigInteger, nullable=False),
    )

    op.create_table(
        'evidence_cosignatures',
        sa.Column('direction', sa.String(8), primary_key=True),
        sa.Column('origin', sa.String(500), primary_key=True),
        sa.Column('tree_size', sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column('witness_key_id', sa.String(64), primary_key=True),
        sa.Column('body', sa.Text, nullable=False),
        sa.Column('witnessed_at', sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table('evidence_cosignatures')
    op.drop_table('evidence_timestamps')
