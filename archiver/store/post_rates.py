"""How many posts each channel made lately: the history the poll intervals adapt to."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import messages


async def recent_post_counts(
    conn: AsyncConnection, channel_ids: Iterable[int], since: int
) -> dict[int, int]:
    """Posts dated at or after ``since`` (unix seconds) per channel, deleted ones included
    (they were posted all the same); channels without any are left out."""
    ids = list(channel_ids)
    if not ids:
        return {}
    query = (
        sa.select(messages.c.channel_id, sa.func.count())
        .where(messages.c.channel_id.in_(ids), messages.c.date >= since)
        .group_by(messages.c.channel_id)
    )
    return {int(channel_id): int(count) for channel_id, count in await conn.execute(query)}
