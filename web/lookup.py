"""Find the public channel a URL names, or answer 404 / redirect to its canonical URL."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.config import Config
from archiver.store.channels import Channel
from archiver.store.visibility import public_channel
from web.urls import channel_key


class Redirect(Exception):
    """Raised to answer with a permanent redirect to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location


async def channel_or_404(
    conn: AsyncConnection, key: str, config: Config, rest: str = ""
) -> Channel:
    """The public channel named by ``key``; old usernames redirect to the current one."""
    channel, canonical = await public_channel(conn, key, config.web.publish)
    if channel is None:
        raise HTTPException(404, "No such channel in this mirror.")
    if not canonical:
        raise Redirect(f"/{channel_key(channel)}{rest}")
    return channel


def redirect_response(exc: Redirect, query: str = "") -> RedirectResponse:
    location = exc.location + (f"?{query}" if query else "")
    return RedirectResponse(location, status_code=301)
