"""Per-channel archive figures for ``tgmirror status`` and the admin view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channels, message_media, messages, sync_state


@dataclass(frozen=True, slots=True)
class ChannelSummary:
    id: int
    username: str | None
    title: str
    status: str
    status_reason: str | None
    following: bool
    hidden: bool
    messages: int
    deleted: int
    first_date: int | None
    last_date: int | None
    media_stored: int
    media_waiting: int
    last_sync_at: int | None
    last_update_at: int | None
    last_error: str | None
    follow_mode: str | None
    last_check_at: int | None
    backfill_complete: bool


async def channel_summaries(conn: AsyncConnection) -> list[ChannelSummary]:
    """One summary per stored channel, by title."""
    counts = (
        sa.select(
            messages.c.channel_id,
            sa.func.count().label("n"),
            sa.func.count(messages.c.deleted_at).label("deleted"),
            sa.func.min(messages.c.date).label("first_date"),
            sa.func.max(messages.c.date).label("last_date"),
        )
        .group_by(messages.c.channel_id)
        .subquery()
    )
    media = (
        sa.select(
            messages.c.channel_id,
            sa.func.sum(sa.case((message_media.c.status == "stored", 1), else_=0)).label("stored"),
            sa.func.sum(
                sa.case((message_media.c.status.in_(("pending", "failed")), 1), else_=0)
            ).label("waiting"),
        )
        .join(messages, messages.c.id == message_media.c.message_id)
        .group_by(messages.c.channel_id)
        .subquery()
    )
    query = (
        sa.select(
            channels.c.id,
            channels.c.username,
            channels.c.title,
            channels.c.status,
            channels.c.status_reason,
            channels.c.following,
            channels.c.hidden,
            sa.func.coalesce(counts.c.n, 0),
            sa.func.coalesce(counts.c.deleted, 0),
            counts.c.first_date,
            counts.c.last_date,
            sa.func.coalesce(media.c.stored, 0),
            sa.func.coalesce(media.c.waiting, 0),
            sync_state.c.last_sync_at,
            sync_state.c.last_update_at,
            sync_state.c.last_error,
            sync_state.c.follow_mode,
            sync_state.c.last_check_at,
            sa.and_(sync_state.c.pass_max_id.is_(None), sync_state.c.last_sync_at.is_not(None)),
        )
        .outerjoin(counts, counts.c.channel_id == channels.c.id)
        .outerjoin(media, media.c.channel_id == channels.c.id)
        .outerjoin(sync_state, sync_state.c.channel_id == channels.c.id)
        .order_by(sa.func.lower(channels.c.title), channels.c.id)
    )
    return [_summary(tuple(row)) for row in await conn.execute(query)]


def _summary(row: tuple[Any, ...]) -> ChannelSummary:
    """A summary from a row of ``channel_summaries``, whose last column is backfill_complete."""
    values: tuple[Any, ...] = (*row[:-1], bool(row[-1]))
    return ChannelSummary(*values)
