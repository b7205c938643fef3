"""capture log's complete subtrees, so that a proof reads O(log n) rows

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-03

``evidence_subtrees``: the hash of every perfect subtree (above the leaves) under the latest
signed head, written with each new head from now on. An archive that already has heads gets
them here, computed from the logged leaf hashes, so that the first proof after the upgrade
does not read every leaf (and ``tgmirror verify`` finds the table complete).
"""

from alembic import op
import sqlalchemy as sa

from archiver.evidence.merkle import TreeBuilder


revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

_CHUNK = 50_000


def upgrade() -> None:
    subtrees = op.create_table(
        "evidence_subtrees",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_evidence_subtrees")),
        sqlite_with_rowid=False,
    )
    assert subtrees is not None
    bind = op.get_bind()
    size = bind.execute(sa.text("SELECT max(tree_size) FROM evidence_heads")).scalar()
    builder = TreeBuilder()
    while size and builder.size < size:
        hashes = bind.execute(
            sa.text("SELECT leaf_hash FROM evidence_log WHERE seq >= :a AND seq < :b ORDER BY seq"),
            {"a": builder.size, "b": min(size, builder.size + _CHUNK)},
        ).scalars()
        before = builder.size
        nodes = builder.extend_nodes(bytes(h) for h in hashes)
        if builder.size == before:
            break  # the log lost captures a head covers: `tgmirror verify` reports it
        if nodes:
            op.bulk_insert(subtrees, [{"level": a, "idx": b, "hash": h} for a, b, h in nodes])


def downgrade() -> None:
    op.drop_table("evidence_subtrees")
