"""The per-channel event log: what happened to a channel and when."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import events
from archiver.evidence.captures import event_capture
from archiver.store.evidence_log import append_captures
from archiver.store.nul_free import nul_free


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    channel_id: int
    at: int
    kind: str
    detail: Any


async def add_event(
    conn: AsyncConnection, channel_id: int, kind: str, at: int, detail: Any = None
) -> None:
    """Append one event to a channel's log (and its capture to the evidence log)."""
    detail = nul_free(detail)
    event_id = (
        await conn.execute(
            events.insert()
            .values(channel_id=channel_id, kind=kind, at=at, detail=detail)
            .returning(events.c.id)
        )
    ).scalar_one()
    await append_captures(
        conn,
        [event_capture(channel_id=channel_id, event_id=event_id, kind=kind, at=at, detail=detail)],
    )


async def list_events(conn: AsyncConnection, channel_id: int, limit: int = 1000) -> list[Event]:
    """A channel's events, oldest first."""
    rows = await conn.execute(
        sa.select(events)
        .where(events.c.channel_id == channel_id)
        .order_by(events.c.at, events.c.id)
        .limit(limit)
    )
    return [Event(r.id, r.channel_id, r.at, r.kind, r.detail) for r in rows]
