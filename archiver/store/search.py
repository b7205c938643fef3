"""Full-text search over the archive, safe against any user input, on any supported database.

The query is parsed once (``search_query.parse_query``: a malformed query can only be empty,
an error with a hint) and handed to the dialect's index: FTS5 on SQLite, a tsvector table on
PostgreSQL. Both index the same folded words, so both find the same posts, and both page
through them newest first with the same cursor (``search_order.order_key`` of the last post).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channels, messages
from archiver.store.dialect import dialect_of
from archiver.store.posts import Post, fetch_posts, post_query
from archiver.store.search_order import order_key
from archiver.store.search_query import MAX_QUERY, SearchQuery, parse_query
from archiver.store.visibility import PublishMode, public_channel_clause, visible_post_clause

__all__ = ["MAX_QUERY", "SearchPage", "SearchQuery", "parse_query", "search_page", "search_posts"]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, newest first; ``older`` is the ``before`` cursor of the next page,
    None when this page holds the oldest result."""

    posts: list[Post]
    older: int | None


async def search_posts(
    conn: AsyncConnection,
    query: SearchQuery,
    mode: PublishMode,
    *,
    channel_id: int | None = None,
    before: int | None = None,
    limit: int = 20,
) -> list[Post]:
    """Visible posts of public channels matching ``query``, newest first.

    ``before`` is the key (``search_order.order_key``) of the previous page's last result.
    """
    select = dialect_of(conn).search.newest_matches(post_query(), query, channel_id, before)
    select = select.where(
        channels.c.id == messages.c.channel_id, visible_post_clause(), public_channel_clause(mode)
    )
    return await fetch_posts(conn, select.limit(limit))


async def search_page(
    conn: AsyncConnection,
    query: SearchQuery,
    mode: PublishMode,
    *,
    channel_id: int | None = None,
    before: int | None = None,
    limit: int = 20,
) -> SearchPage:
    """``search_posts`` with the cursor of the page after it (one row more is read to know)."""
    posts = await search_posts(
        conn, query, mode, channel_id=channel_id, before=before, limit=limit + 1
    )
    if len(posts) <= limit:
        return SearchPage(posts, None)
    posts = posts[:limit]
    return SearchPage(posts, order_key(posts[-1].date, posts[-1].pk))
