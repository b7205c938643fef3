"""The full-text index: what goes in, what comes out, rebuilding; on any supported database.

The store feeds the index folded text and its stems (``search_text.index_texts``) in the same
transaction as the rows, and removes entries with the same folded text and stems (SQLite's
contentless FTS5 table needs the original values to delete). The index itself is the
dialect's (``dialect.Dialect.search``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import messages
from archiver.store.dialect import dialect_of
from archiver.store.search_text import IndexEntry, index_texts


def fts_rows(rows: Iterable[tuple[int, int, int, str, Any]]) -> list[IndexEntry]:
    """Index entries of (message pk, date, channel id, text, media); messages with no text
    drop out. The date orders results (``search_order``) and never changes after insert."""
    entries = []
    for pk, date, channel_id, text, media in rows:
        body, stems = index_texts(text, media)
        if body:
            entries.append((pk, date, channel_id, body, stems))
    return entries


async def fts_insert(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    if entries:
        await dialect_of(conn).search.add_entries(conn, entries)


async def fts_delete(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    if entries:
        await dialect_of(conn).search.remove_entries(conn, entries)


async def rebuild_search_index(conn: AsyncConnection) -> int:
    """Re-create the search index from the messages table; returns rows indexed."""
    await dialect_of(conn).search.remove_all(conn)
    total = 0
    last = 0
    while True:
        batch = (
            await conn.execute(
                sa.select(
                    messages.c.id,
                    messages.c.date,
                    messages.c.channel_id,
                    messages.c.text,
                    messages.c.media,
                )
                .where(messages.c.id > last)
                .order_by(messages.c.id)
                .limit(5000)
            )
        ).all()
        if not batch:
            return total
        await fts_insert(conn, fts_rows(batch))
        total += len(batch)
        last = batch[-1].id
