"""Posts t.me/s stopped showing, while the absence is being confirmed (``web_absences``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import messages, web_absences


@dataclass(frozen=True, slots=True)
class Absence:
    """A post missing from t.me/s: how many reads confirmed it, first and last."""

    msg_id: int
    signal_count: int
    signal_first_at: int
    signal_last_at: int


async def shown_before(
    conn: AsyncConnection, channel_id: int, low: int, high: int, *, source: str = "web"
) -> set[int]:
    """Ids of live (not tombstoned) posts of ``source`` stored in ``low..high``: what t.me/s
    showed in that range before."""
    rows = await conn.execute(
        sa.select(messages.c.msg_id).where(
            messages.c.channel_id == channel_id,
            messages.c.msg_id.between(low, high),
            messages.c.deleted_at.is_(None),
            messages.c.source == source,
        )
    )
    return {int(r[0]) for r in rows}


async def get_absences(
    conn: AsyncConnection, channel_id: int, msg_ids: Iterable[int]
) -> dict[int, Absence]:
    """The absences being confirmed among ``msg_ids``."""
    ids = list(msg_ids)
    if not ids:
        return {}
    rows = await conn.execute(
        sa.select(web_absences).where(
            web_absences.c.channel_id == channel_id, web_absences.c.msg_id.in_(ids)
        )
    )
    return {
        int(r.msg_id): Absence(
            int(r.msg_id), r.signal_count, int(r.signal_first_at), int(r.signal_last_at)
        )
        for r in rows
    }


async def put_absences(conn: AsyncConnection, channel_id: int, absences: list[Absence]) -> None:
    """Write (replace) the given absences."""
    if not absences:
        return
    ids = [a.msg_id for a in absences]
    await clear_absences(conn, channel_id, ids)
    await conn.execute(
        web_absences.insert(),
        [
            {
                "channel_id": channel_id,
                "msg_id": a.msg_id,
                "signal_count": a.signal_count,
                "signal_first_at": a.signal_first_at,
                "signal_last_at": a.signal_last_at,
            }
            for a in absences
        ],
    )


async def clear_absences(conn: AsyncConnection, channel_id: int, msg_ids: Iterable[int]) -> None:
    """Forget the absences of ``msg_ids`` (seen again, or tombstoned)."""
    ids = list(msg_ids)
    if ids:
        await conn.execute(
            web_absences.delete().where(
                web_absences.c.channel_id == channel_id, web_absences.c.msg_id.in_(ids)
            )
        )
