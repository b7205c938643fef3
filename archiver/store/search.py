"""Full-text search over the archive, safe against any user input, on any supported database.

The query is parsed once (``search_query.parse_query``: a malformed query can only be empty,
an error with a hint) and handed to the dialect's index: FTS5 on SQLite, a tsvector table on
PostgreSQL. Both index the same folded words, so both find the same posts.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channels, messages
from archiver.store.dialect import dialect_of
from archiver.store.posts import Post, fetch_posts, post_query
from archiver.store.search_query import MAX_QUERY, SearchQuery, parse_query
from archiver.store.visibility import PublishMode, public_channel_clause, visible_post_clause

__all__ = ["MAX_QUERY", "SearchQuery", "parse_query", "search_posts"]


async def search_posts(
    conn: AsyncConnection,
    query: SearchQuery,
    mode: PublishMode,
    *,
    channel_id: int | None = None,
    before: tuple[int, int] | None = None,
    limit: int = 20,
) -> list[Post]:
    """Visible posts of public channels matching ``query``, newest first.

    ``before`` is a (date, msg pk) keyset cursor from the previous page's last result.
    """
    matches = dialect_of(conn).search.matching_ids(query, channel_id)
    select = (
        post_query()
        .join(channels, channels.c.id == messages.c.channel_id)
        .where(messages.c.id.in_(matches), visible_post_clause(), public_channel_clause(mode))
    )
    if channel_id is not None:
        select = select.where(messages.c.channel_id == channel_id)
    if before is not None:
        select = select.where(sa.tuple_(messages.c.date, messages.c.id) < sa.tuple_(*before))
    select = select.order_by(messages.c.date.desc(), messages.c.id.desc()).limit(limit)
    return await fetch_posts(conn, select)
