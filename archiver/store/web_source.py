"""Queries the t.me/s source needs: which posts the Telegram source already captured."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import messages


async def captured_elsewhere(
    conn: AsyncConnection, channel_id: int, msg_ids: Iterable[int]
) -> set[int]:
    """Ids among `msg_ids` stored from a source other than the web preview (Telegram,
    an import): the preview carries fewer fields, so it must not overwrite them."""
    ids = list(msg_ids)
    if not ids:
        return set()
    rows = await conn.execute(
        sa.select(messages.c.msg_id).where(
            messages.c.channel_id == channel_id,
            messages.c.msg_id.in_(ids),
            messages.c.source != "web",
        )
    )
    return {int(r[0]) for r in rows}


async def web_file_urls(
    conn: AsyncConnection, channel_id: int, msg_ids: Iterable[int]
) -> dict[int, list[str]]:
    """The file URLs the t.me/s page gave for each message (``extra.web.files``)."""
    ids = list(msg_ids)
    if not ids:
        return {}
    rows = await conn.execute(
        sa.select(messages.c.msg_id, messages.c.extra).where(
            messages.c.channel_id == channel_id, messages.c.msg_id.in_(ids)
        )
    )
    out: dict[int, list[str]] = {}
    for msg_id, extra in rows:
        web = extra.get("web") if isinstance(extra, dict) else None
        files = web.get("files") if isinstance(web, dict) else None
        if isinstance(files, list):
            out[int(msg_id)] = [str(u) for u in files]
    return out
