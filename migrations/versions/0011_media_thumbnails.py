"""media thumbnails

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

One row per resized JPEG of a stored photo (``media_thumbnails``): pages show these in two
widths (srcset) instead of the full-size original; the bytes live in the media store under
their own content key. Plain columns only, the same on SQLite and PostgreSQL.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media_thumbnails',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('path', sa.String(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['media_files.sha256'], name=op.f('fk_media_thumbnails_sha256_media_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'width', name=op.f('pk_media_thumbnails'))
    )


def downgrade() -> None:
    op.drop_table('media_thumbnails')
