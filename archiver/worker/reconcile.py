"""Re-check stored posts against Telegram: find deletions it never announced, and edits.

Cost is bounded per pass: the newest ``RECENT`` stored posts are checked every time (that is
where edits and deletions happen), and older ones by a sweep of ``SWEEP`` ids per pass that
resumes at ``sync_state.reconcile_cursor`` and wraps around. Each request checks 100 ids.
A post Telegram answers with ``messageEmpty`` gets a tombstone (``how="reconcile"``); its
content stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from archiver.store.channels import Channel
from archiver.store.messages import mark_deleted, save_messages, stored_msg_ids
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.telegram.convert import message_row
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext

RECENT = 200
SWEEP = 1000
BATCH = 100


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    checked: int = 0
    deleted: int = 0
    edited: int = 0


async def ids_to_check(
    ctx: WorkerContext, channel_id: int, recent: int, sweep: int
) -> tuple[list[int], int | None]:
    """(ids to check this pass, the sweep cursor to store afterwards)."""
    async with ctx.read() as conn:
        newest = await stored_msg_ids(conn, channel_id, limit=recent)
        state = await get_sync_state(conn, channel_id)
        below = state.reconcile_cursor or (newest[-1] if newest else None)
        older = await stored_msg_ids(conn, channel_id, below=below, limit=sweep) if below else []
    cursor = older[-1] if len(older) == sweep else None  # None: the sweep wraps next time
    return sorted(set(newest) | set(older), reverse=True), cursor


async def reconcile_channel(
    ctx: WorkerContext,
    account: TelegramAccount,
    channel: Channel,
    *,
    recent: int = RECENT,
    sweep: int = SWEEP,
    fresh: frozenset[int] = frozenset(),
) -> ReconcileResult:
    """Check a bounded set of stored posts as ``account``; store edits and tombstones. Posts in
    ``fresh`` were read from Telegram moments ago (by this sync's history walk): they are left
    out, as checking them would read the same posts again, at the GetMessages rate."""
    ids, cursor = await ids_to_check(ctx, channel.id, recent, sweep)
    ids = [msg_id for msg_id in ids if msg_id not in fresh]
    peer = input_channel(account, channel)
    deleted = edited = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        found = await account.client.get_messages(peer, ids=batch)
        gone = [msg_id for msg_id, m in zip(batch, found, strict=True) if m is None]
        rows = [r for r in (message_row(m, channel.id) for m in found if m is not None) if r]
        async with ctx.write() as conn:
            result = await save_messages(conn, rows, ctx.now())
            deleted += len(await mark_deleted(conn, channel.id, gone, ctx.now(), "reconcile"))
        edited += result.edited
    async with ctx.write() as conn:
        await update_sync_state(conn, channel.id, reconcile_cursor=cursor, reconciled_at=ctx.now())
    return ReconcileResult(len(ids), deleted, edited)
