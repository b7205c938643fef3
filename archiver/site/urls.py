"""URLs of mirror pages, built in one place for templates, feeds and the API."""

from __future__ import annotations

from typing import Any

from archiver.media import extension_for


def channel_key(channel: Any) -> str:
    """The path segment of a channel: its username, or its id when it has none."""
    return channel.username or str(channel.id)


def channel_url(channel: Any) -> str:
    return f"/{channel_key(channel)}"


def post_url(channel: Any, msg_id: int) -> str:
    return f"/{channel_key(channel)}/{msg_id}"


def media_url(file: Any) -> str:
    """URL of a stored file (by content hash), or '' if it is not stored."""
    if getattr(file, "sha256", None) is None or getattr(file, "status", "stored") != "stored":
        return ""
    return f"/media/{file.sha256}{extension_for(file.mime, getattr(file, 'file_name', None))}"
