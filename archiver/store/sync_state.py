"""Per-channel sync checkpoints, committed in the same transaction as the rows they cover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import sync_state
from archiver.store.nul_free import nul_free


@dataclass(frozen=True, slots=True)
class SyncState:
    """Where a channel's archiving stands; see the ``sync_state`` table for the pass model."""

    channel_id: int
    synced_max_id: int
    pass_max_id: int | None
    pass_offset_id: int | None
    pts: int | None
    last_sync_at: int | None
    last_update_at: int | None
    last_error: str | None
    last_error_at: int | None
    error_count: int
    paused_until: int | None
    reconcile_cursor: int | None
    reconciled_at: int | None
    signal: str | None
    signal_count: int
    signal_first_at: int | None
    signal_last_at: int | None
    follow_mode: str | None
    joined_account: str | None
    last_check_at: int | None


async def get_sync_state(conn: AsyncConnection, channel_id: int) -> SyncState:
    """The channel's sync state (a fresh one if the row is missing)."""
    row = (
        await conn.execute(sa.select(sync_state).where(sync_state.c.channel_id == channel_id))
    ).first()
    if row is None:
        await conn.execute(sync_state.insert().values(channel_id=channel_id))
        row = (
            await conn.execute(sa.select(sync_state).where(sync_state.c.channel_id == channel_id))
        ).one()
    return SyncState(**{name: getattr(row, name) for name in SyncState.__slots__})


async def update_sync_state(conn: AsyncConnection, channel_id: int, **values: Any) -> None:
    """Set fields of a channel's sync state."""
    await conn.execute(
        sync_state.update().where(sync_state.c.channel_id == channel_id).values(**nul_free(values))
    )


async def finish_history_pass(
    conn: AsyncConnection, channel_id: int, floor: int, top: int | None, now: int
) -> None:
    """A history walk reached what was already archived (or the first post): everything up to
    ``top`` is stored, so the next walk starts above it and no pass is left half-done."""
    await update_sync_state(
        conn,
        channel_id,
        synced_max_id=max(floor, top or 0),
        pass_max_id=None,
        pass_offset_id=None,
        last_sync_at=now,
    )
