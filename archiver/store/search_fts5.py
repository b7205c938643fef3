"""The search index on SQLite: a contentless FTS5 table (``schema.FTS_TABLE``).

Contentless means FTS5 keeps no copy of the text, so deleting an entry needs the same folded
text it was indexed with. ``rowid`` is ``messages.id``; ``chan`` holds one token per channel so
that a search inside one channel is an FTS intersection, not a post-filter.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import FTS_TABLE
from archiver.store.search_query import SearchQuery
from archiver.store.search_text import IndexEntry, channel_token


def _params(entries: list[IndexEntry]) -> list[dict[str, object]]:
    return [{"rowid": pk, "body": body, "chan": channel_token(cid)} for pk, cid, body in entries]


async def add_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    await conn.execute(
        sa.text(f"INSERT INTO {FTS_TABLE}(rowid, body, chan) VALUES (:rowid, :body, :chan)"),
        _params(entries),
    )


async def remove_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    await conn.execute(
        sa.text(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body, chan) "
            "VALUES ('delete', :rowid, :body, :chan)"
        ),
        _params(entries),
    )


async def remove_all(conn: AsyncConnection) -> None:
    await conn.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))


def fts_expression(query: SearchQuery, channel_id: int | None = None) -> str:
    """The FTS5 MATCH expression for a parsed query (every piece quoted)."""
    parts = [f'"{word}"{"*" if prefix else ""}' for word, prefix in query.terms]
    parts += ['"' + " ".join(words) + '"' for words in query.phrases]
    expression = "body:(" + " ".join(parts) + ")"
    if channel_id is not None:
        expression += f' AND chan:"{channel_token(channel_id)}"'
    return expression


def matching_ids(query: SearchQuery, channel_id: int | None) -> sa.TextClause:
    """A subquery of the pks of messages matching ``query`` (in one channel if given)."""
    return sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q").bindparams(
        q=fts_expression(query, channel_id)
    )
