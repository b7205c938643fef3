"""The capture log's complete subtrees: written with each signed head, read by proofs.

Row ``(level, idx, hash)`` is the RFC 9162 hash of the perfect subtree over the captures
``[idx << level, (idx + 1) << level)``, for every such subtree under the latest signed head
(level 0, the leaves, stays in ``evidence_log``). A proof then reads O(log n) rows where it
read every leaf hash. The rows are derived data: ``tgmirror verify`` recomputes them from
the leaves, and a proof built from a changed row does not lead to the signed root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import evidence_log, evidence_subtrees
from archiver.store.bulk_read import RowSource, fetch_all, keyset_pages
from archiver.store.dialect import dialect_of

_KEYS_PER_QUERY = 400  # well under SQLite's bound parameters per statement


async def add_subtrees(conn: AsyncConnection, nodes: Sequence[tuple[int, int, bytes]]) -> None:
    """Store ``(level, idx, hash)`` rows, replacing a row already there: they are computed
    from the logged leaves, which are what a head signs (two signers write the same hash)."""
    if not nodes:
        return
    if dialect_of(conn).name == "sqlite":  # plain tuples: a head covers up to n rows at once
        await conn.exec_driver_sql(
            "INSERT OR REPLACE INTO evidence_subtrees (level, idx, hash) VALUES (?, ?, ?)",
            list(nodes),
        )
        return
    insert = dialect_of(conn).insert(evidence_subtrees)
    upsert = insert.on_conflict_do_update(
        index_elements=["level", "idx"], set_={"hash": insert.excluded.hash}
    )
    await conn.execute(upsert, [{"level": a, "idx": b, "hash": h} for a, b, h in nodes])


async def node_hashes(
    conn: AsyncConnection, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the subtrees ``keys`` (level 0: the leaf hash of capture ``idx``);
    keys without a row are left out."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = sorted(i for level, i in keys if level == 0)
    inner = sorted((level, i) for level, i in keys if level > 0)
    for part in _chunks(leaves):
        rows = await conn.execute(
            sa.select(evidence_log.c.seq, evidence_log.c.leaf_hash).where(
                evidence_log.c.seq.in_(part)
            )
        )
        found.update(((0, int(seq)), bytes(h)) for seq, h in rows)
    t = evidence_subtrees.c
    for part in _chunks(inner):
        by_level: dict[int, list[int]] = {}
        for level, i in part:
            by_level.setdefault(level, []).append(i)
        # One primary-key search per key: SQLite scans the table for a row-value IN.
        where = sa.or_(*(sa.and_(t.level == lv, t.idx.in_(ix)) for lv, ix in by_level.items()))
        inner_rows = await conn.execute(sa.select(t.level, t.idx, t.hash).where(where))
        found.update(((int(level), int(i)), bytes(h)) for level, i, h in inner_rows)
    return found


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), _KEYS_PER_QUERY):
        yield items[i : i + _KEYS_PER_QUERY]


async def iter_subtrees(source: RowSource, *, chunk: int = 100_000) -> AsyncIterator[Sequence[Any]]:
    """Every row as ``(level, idx, hash)``, by level then index, ``chunk`` at a time."""
    t = evidence_subtrees.c
    levels = (await fetch_all(source, sa.select(sa.func.max(t.level))))[0][0]
    for level in range(1, (levels or 0) + 1):

        def page(after: int, level: int = level) -> sa.Select[Any]:
            # keyset pages within a level: a search of the primary key each
            query = sa.select(t.level, t.idx, t.hash).where(t.level == level, t.idx > after)
            return query.order_by(t.idx).limit(chunk)

        async for rows in keyset_pages(source, page, -1, lambda rows: int(rows[-1][1])):
            yield rows
