"""JSON API routes: channels, a channel's posts (cursor pagination), a post, search."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.browse import channel_page, public_channels
from archiver.store.channels import Channel
from archiver.store.posts import get_post, get_revisions
from archiver.store.search import parse_query, search_page
from archiver.store.visibility import public_channel
from web.api.models import ChannelOut, PostDetail, PostOut, PostsPage, SearchResults
from web.deps import ConfigDep, ConnDep, QuickConnDep
from web.params import Cursor, stored_msg_id

router = APIRouter(prefix="/api", tags=["api"])


async def _channel(conn: AsyncConnection, config: ConfigDep, key: str) -> Channel:
    channel, _ = await public_channel(conn, key, config.web.publish)
    if channel is None:
        raise HTTPException(404, "No such channel in this mirror.")
    return channel


@router.get("/channels", response_model=list[ChannelOut])
async def list_channels(conn: ConnDep, config: ConfigDep) -> list[ChannelOut]:
    """The public channels."""
    return [ChannelOut.of(c) for c in await public_channels(conn, config.web.publish)]


@router.get("/channels/{key}/posts", response_model=PostsPage)
async def channel_posts(
    key: str,
    conn: QuickConnDep,
    config: ConfigDep,
    before: Cursor = None,
    after: Cursor = None,
    limit: int = Query(20, ge=1, le=100),
) -> PostsPage:
    """A page of a channel's posts, newest first; follow ``older``/``newer`` as cursors."""
    channel = await _channel(conn, config, key)
    page = await channel_page(conn, channel.id, before=before, after=after, limit=limit)
    return PostsPage(posts=[PostOut.of(p) for p in page.posts], older=page.older, newer=page.newer)


@router.get("/channels/{key}/posts/{msg_id}", response_model=PostDetail)
async def channel_post(key: str, msg_id: int, conn: QuickConnDep, config: ConfigDep) -> PostDetail:
    """One post with every earlier version (revisions) and its deletion marker."""
    channel = await _channel(conn, config, key)
    post = await get_post(conn, channel.id, stored_msg_id(msg_id))
    if post is None or post.hidden:
        raise HTTPException(404, "This post is not in the archive.")
    return PostDetail.with_revisions(post, await get_revisions(conn, post.pk))


@router.get("/search", response_model=SearchResults)
async def search(
    conn: ConnDep,
    config: ConfigDep,
    q: str = Query(..., max_length=300),
    channel: str | None = None,
    before: Cursor = None,
    limit: int = Query(20, ge=1, le=100),
) -> SearchResults:
    """Full-text search over public channels (words, "phrases", prefix*), newest first;
    follow ``older`` as ``before`` to page through every result."""
    channel_id = (await _channel(conn, config, channel)).id if channel else None
    query = parse_query(q)
    page = await search_page(
        conn, query, config.web.publish, channel_id=channel_id, before=before, limit=limit
    )
    return SearchResults(posts=[PostOut.of(p) for p in page.posts], older=page.older)
