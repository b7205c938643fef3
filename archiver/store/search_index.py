"""The full-text index (SQLite FTS5, contentless): what goes in, what comes out, rebuilding.

The store feeds the index folded text (``search_text.search_body``) in the same transaction
as the rows, and deletes entries with the same folded text: a contentless FTS5 table needs the
original values to delete. On other databases these are no-ops (their search is elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import FTS_TABLE, messages
from archiver.store.search_text import channel_token, search_body


def fts_rows(pairs: Iterable[tuple[int, int, str, Any]]) -> list[dict[str, Any]]:
    return [
        {"rowid": pk, "body": search_body(text, media), "chan": channel_token(channel_id)}
        for pk, channel_id, text, media in pairs
    ]


async def fts_insert(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    rows = [r for r in rows if r["body"]]
    if rows and conn.dialect.name == "sqlite":
        await conn.execute(
            sa.text(f"INSERT INTO {FTS_TABLE}(rowid, body, chan) VALUES (:rowid, :body, :chan)"),
            rows,
        )


async def fts_delete(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    rows = [r for r in rows if r["body"]]
    if rows and conn.dialect.name == "sqlite":
        await conn.execute(
            sa.text(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body, chan) "
                "VALUES ('delete', :rowid, :body, :chan)"
            ),
            rows,
        )


async def rebuild_search_index(conn: AsyncConnection) -> int:
    """Re-create the FTS index from the messages table; returns rows indexed."""
    if conn.dialect.name != "sqlite":
        return 0
    await conn.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    total = 0
    last = 0
    while True:
        batch = (
            await conn.execute(
                sa.select(messages.c.id, messages.c.channel_id, messages.c.text, messages.c.media)
                .where(messages.c.id > last)
                .order_by(messages.c.id)
                .limit(5000)
            )
        ).all()
        if not batch:
            return total
        await fts_insert(conn, fts_rows((r.id, r.channel_id, r.text, r.media) for r in batch))
        total += len(batch)
        last = batch[-1].id
