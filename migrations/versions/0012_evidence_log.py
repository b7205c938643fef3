"""evidence capture log and signed tree heads

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

``evidence_log``: the append-only capture log (one RFC 9162 leaf per capture of a post
version, a deletion, a channel event or a stored media file); ``evidence_heads``: the signed
tree heads over it. Plain columns, the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence_log',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('msg_id', sa.BigInteger(), nullable=True),
    sa.Column('captured_at', sa.BigInteger(), nullable=False),
    sa.Column('leaf', sa.Text(), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_evidence_log'))
    )
    op.create_index('ix_evidence_log_channel_id_msg_id', 'evidence_log',
                    ['channel_id', 'msg_id'], unique=False)
    op.create_table('evidence_heads',
    sa.Column('tree_size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('signed_at', sa.BigInteger(), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.LargeBinary(length=64), nullable=False),
    sa.PrimaryKeyConstraint('tree_size', name=op.f('pk_evidence_heads'))
    )


def downgrade() -> None:
    op.drop_table('evidence_heads')
    op.drop_index('ix_evidence_log_channel_id_msg_id', table_name='evidence_log')
    op.drop_table('evidence_log')
