"""copy progress of tgmirror migrate-db

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

One row per table copied into this database by ``tgmirror migrate-db``: how far the copy got,
so that an interrupted copy resumes. Plain columns only, the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('copy_progress',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('last_key', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('rows_copied', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_copy_progress'))
    )


def downgrade() -> None:
    op.drop_table('copy_progress')
