"""Full-text search over the archive, safe against any user input, on any supported database.

The query is parsed once (``search_query.parse_query``: a malformed query can only be empty,
an error with a hint) and handed to the dialect's index: FTS5 on SQLite, a tsvector table on
PostgreSQL. Both index the same folded words, so both find the same posts, and both page
through them newest first with the same cursor (``search_order.order_key`` of the last post).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channels, messages
from archiver.store.dialect import Dialect, dialect_of
from archiver.store.posts import Post, fetch_quick_posts, post_query
from archiver.store.quick_select import QuickSelect
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
    dialect = dialect_of(conn)
    scope = [channel_id] if channel_id is not None else await _search_scope(conn, mode)
    if scope == []:
        return []
    params = dialect.search.match_params(query, scope, before)
    if params is None:
        return []
    select = _statement(dialect, mode, in_channels=scope is not None, paged=before is not None)
    return await fetch_quick_posts(conn, select, {**params, "limit": limit})


async def _search_scope(conn: AsyncConnection, mode: PublishMode) -> list[int] | None:
    """The channels a search across the mirror looks in: None (all; the SELECT's own
    condition leaves out the few private ones) when every channel is published, else the
    public ones. Without the list, a word common in private channels would make the index
    hand out (and the join throw away) every one of their matches before finding a public one:
    a quarter of a second at 1,000,000 posts, for any reader who asks."""
    if mode == "all":
        return None
    rows = await conn.execute(_PUBLIC_IDS[mode])
    return [row[0] for row in rows]


_PUBLIC_IDS = {"erased": sa.select(channels.c.id).where(public_channel_clause("erased"))}
_STATEMENTS: dict[tuple[str, PublishMode, bool, bool], QuickSelect] = {}


def _statement(
    dialect: Dialect, mode: PublishMode, *, in_channels: bool, paged: bool
) -> QuickSelect:
    """The search SELECT, built once per shape with bound parameters (building a SELECT of
    thirty columns costs more than running it); on the quick SQLite reader it runs on the raw
    ``sqlite3`` cursor."""
    key = (dialect.name, mode, in_channels, paged)
    quick = _STATEMENTS.get(key)
    if quick is None:
        select = dialect.search.newest_matches(post_query(), in_channels=in_channels, paged=paged)
        select = select.where(
            channels.c.id == messages.c.channel_id,
            visible_post_clause(),
            public_channel_clause(mode),
        ).limit(sa.bindparam("limit", type_=sa.Integer))
        quick = _STATEMENTS[key] = QuickSelect(select)
    return quick


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
