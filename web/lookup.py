"""Find the public channel a URL names, or answer 404 / redirect to its canonical URL."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.site.urls import channel_key
from archiver.store.channels import Channel
from archiver.store.posts import Post, get_post
from web.channel_cache import PublicChannel
from web.params import stored_msg_id


class Redirect(Exception):
    """Raised to answer with a permanent redirect to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location


async def public_channel_or_404(
    request: Request, conn: AsyncConnection, key: str, rest: str = ""
) -> tuple[Channel, tuple[str, ...]]:
    """The public channel named by ``key`` and its old usernames (through the app's
    ``ChannelCache``); old usernames and ids redirect to the current key."""
    state = request.app.state
    found: PublicChannel = await state.channels.lookup(conn, key, state.config.web.publish)
    if found.channel is None:
        raise HTTPException(404, "No such channel in this mirror.")
    if not found.canonical:
        raise Redirect(f"/{channel_key(found.channel)}{rest}")
    return found.channel, found.old_usernames


async def channel_or_404(
    request: Request, conn: AsyncConnection, key: str, rest: str = ""
) -> Channel:
    """The public channel named by ``key``; old usernames redirect to the current one."""
    channel, _ = await public_channel_or_404(request, conn, key, rest)
    return channel


async def post_or_404(
    request: Request, conn: AsyncConnection, key: str, msg_id: int, rest: str
) -> tuple[Channel, Post]:
    """The public channel named by ``key`` and its post ``msg_id``, unless hidden by a takedown;
    old usernames redirect (``Redirect``) to the current one, with ``rest`` after it."""
    channel = await channel_or_404(request, conn, key, rest)
    found = await get_post(conn, channel.id, stored_msg_id(msg_id))
    if found is None or found.hidden:
        raise HTTPException(404, "This post is not in the archive.")
    return channel, found


def redirect_response(exc: Redirect, query: str = "") -> RedirectResponse:
    location = exc.location + (f"?{query}" if query else "")
    return RedirectResponse(location, status_code=301)
