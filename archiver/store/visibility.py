"""Which channels and posts the public mirror may show: one rule for pages, feeds, API, media.

A channel is public when it is not hidden and its publish policy says so: ``always``; or
``default`` while the mirror publishes ``all`` channels or the channel has been erased.
``never`` keeps it private. Hidden posts (operator takedowns) are never public.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channel_names, channels, messages
from archiver.decimal_ids import parse_decimal_id
from archiver.store.channels import Channel, find_channel
from archiver.store.quick_select import QuickSelect

PublishMode = Literal["erased", "all"]


def public_channel_clause(mode: PublishMode) -> sa.ColumnElement[bool]:
    """SQL condition on ``channels`` for channels the mirror shows."""
    default_ok = sa.true() if mode == "all" else channels.c.status == "erased"
    return sa.and_(
        channels.c.hidden.is_(False),
        channels.c.kind != "discussion",
        sa.or_(
            channels.c.publish == "always",
            sa.and_(channels.c.publish == "default", default_ok),
        ),
    )


def is_public(channel: Channel, mode: PublishMode) -> bool:
    """The same rule as ``public_channel_clause`` for a loaded channel."""
    if channel.hidden or channel.kind == "discussion":
        return False
    if channel.publish == "always":
        return True
    return channel.publish == "default" and (mode == "all" or channel.status == "erased")


def visible_post_clause() -> sa.ColumnElement[bool]:
    """SQL condition on ``messages`` for posts that may be shown (not taken down)."""
    return messages.c.hidden.is_(False)


async def public_channel(
    conn: AsyncConnection, key: str, mode: PublishMode
) -> tuple[Channel | None, bool]:
    """Look up a public channel by username (current or old) or id.

    Returns (channel, canonical): ``canonical`` is False when ``key`` is an old username or an
    id of a channel that has a username, so the caller can redirect.
    """
    channel = await find_channel(conn, key)
    if channel is None or not is_public(channel, mode):
        return None, True
    if parse_decimal_id(key) is not None:
        return channel, channel.username is None
    current = (channel.username or "").lower() == key.lower()
    return channel, current


async def old_usernames(conn: AsyncConnection, channel: Channel) -> list[str]:
    """Usernames a channel had before its current one, newest first."""
    rows = await _USERNAMES.fetch(conn, {"channel_id": channel.id})
    current = (channel.username or "").lower()
    return [value for (value,) in rows if value.lower() != current]


_USERNAMES = QuickSelect(
    sa.select(channel_names.c.value)
    .where(
        channel_names.c.channel_id == sa.bindparam("channel_id", type_=sa.BigInteger),
        channel_names.c.kind == "username",
    )
    .order_by(channel_names.c.last_seen_at.desc())
)
"""Built once, run on the quick reader's raw cursor, as ``channels.find_channel``'s."""


async def public_file(
    conn: AsyncConnection, sha256: str, mode: PublishMode
) -> tuple[str, str, int] | None:
    """(path, mime, size) of stored content shown by a visible post of a public channel."""
    from archiver.db.schema import media_files, message_media

    shown_by_post = (
        sa.select(message_media.c.id)
        .join(messages, messages.c.id == message_media.c.message_id)
        .join(channels, channels.c.id == messages.c.channel_id)
        .where(message_media.c.sha256 == sha256, visible_post_clause(), public_channel_clause(mode))
        .limit(1)
    )
    shown_as_photo = (
        sa.select(channels.c.id)
        .where(channels.c.photo_sha256 == sha256, public_channel_clause(mode))
        .limit(1)
    )
    row = (
        await conn.execute(
            sa.select(media_files.c.path, media_files.c.mime, media_files.c.size).where(
                media_files.c.sha256 == sha256,
                sa.or_(sa.exists(shown_by_post), sa.exists(shown_as_photo)),
            )
        )
    ).first()
    return (row.path, row.mime, row.size) if row else None
