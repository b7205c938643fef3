"""Catch a channel up with one cheap call: updates.getChannelDifference from the stored pts.

One request returns the new posts, the edits and the deletions since the last look, for a
channel the account joined or not (core.telegram.org/api/updates). The channel's pts is stored
in the same transaction as what it covers, so a crash never skips or repeats a change.

The first look has no pts: it takes the channel's current pts (channels.getFullChannel) before
backfilling, so that whatever is posted during the backfill comes with the next difference.
A gap larger than ``LIMIT`` answers ``channelDifferenceTooLong``: its pts becomes the new
starting point and a backfill (messages.getHistory down to what is archived) fetches the posts
of the gap; edits and deletions in the gap are left to the reconciliation sweep, as
updates.channelDifferenceTooLong advises.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from telethon import functions, types

from archiver.store.channels import Channel
from archiver.store.messages import mark_deleted, save_messages
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.telegram.convert import message_row
from archiver.telegram.request_pacer import Priority, request_priority
from archiver.worker.accounts import TelegramAccount
from archiver.worker.backfill import backfill_channel
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

LIMIT = 100
"""Updates per difference; Telegram asks ordinary users to pass 10-100 (Telethon uses 100)."""
MAX_ROUNDS = 50
"""Non-final differences followed in one catch-up before leaving the rest to the next one."""


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What one catch-up found and how."""

    new: int = 0
    edited: int = 0
    deleted: int = 0
    requests: int = 0
    too_long: bool = False
    backfilled: bool = False


async def ask_difference(account: TelegramAccount, channel: Channel, pts: int) -> Any:
    """updates.getChannelDifference of ``channel`` from ``pts``, as ``account`` (one request)."""
    request = functions.updates.GetChannelDifferenceRequest(
        channel=input_channel(account, channel),
        filter=types.ChannelMessagesFilterEmpty(),
        pts=pts,
        limit=LIMIT,
        force=False,
    )
    return await account.client(request)


async def current_pts(account: TelegramAccount, channel: Channel) -> int:
    """The channel's pts now (channels.getFullChannel, one request)."""
    peer = input_channel(account, channel)
    full = await account.client(functions.channels.GetFullChannelRequest(peer))
    return int(full.full_chat.pts)


async def catch_up(
    ctx: WorkerContext,
    account: TelegramAccount,
    channel: Channel,
    slot: AbstractAsyncContextManager[object] | None = None,
) -> CatchUp:
    """Store every new post, edit and deletion of ``channel`` since the last catch-up, read as
    ``account``. A backfill it needs runs inside ``slot`` (the daemon's concurrency slot); a
    caught-up channel's difference needs none, and its requests go before backfill pages."""
    slot = nullcontext() if slot is None else slot
    async with ctx.read() as conn:
        state = await get_sync_state(conn, channel.id)
    if state.pts is None:
        async with slot:
            with request_priority(Priority.LIVE):
                pts = await current_pts(account, channel)
            async with ctx.write() as conn:
                await update_sync_state(conn, channel.id, pts=pts)
            result = await backfill_channel(ctx, account, channel)
        await _checked(ctx, channel.id)
        return CatchUp(new=result.inserted, edited=result.edited, requests=1, backfilled=True)
    backfilled = False
    if state.pass_max_id is not None or state.last_sync_at is None:
        async with slot:  # an interrupted backfill finishes first
            await backfill_channel(ctx, account, channel)
        backfilled = True
    found = CatchUp(backfilled=backfilled)
    pts = state.pts
    for _ in range(MAX_ROUNDS):
        with request_priority(Priority.LIVE):
            diff = await ask_difference(account, channel, pts)
        found = _add(found, requests=1)
        if isinstance(diff, types.updates.ChannelDifferenceEmpty):
            pts = diff.pts
            break
        if isinstance(diff, types.updates.ChannelDifferenceTooLong):
            async with slot:
                found = await _too_long(ctx, account, channel, diff, found)
            pts = diff.dialog.pts
            break
        found = await _apply(ctx, channel, diff, found)
        pts = diff.pts
        if diff.final:
            break
    async with ctx.write() as conn:
        await update_sync_state(conn, channel.id, pts=pts, last_check_at=ctx.now())
    return found


async def _apply(ctx: WorkerContext, channel: Channel, diff: Any, found: CatchUp) -> CatchUp:
    """Store one updates.channelDifference and its pts in one transaction."""
    rows = [message_row(m, channel.id) for m in diff.new_messages]
    edits = [
        message_row(u.message, channel.id)
        for u in diff.other_updates
        if isinstance(u, types.UpdateEditChannelMessage)
    ]
    gone = [
        msg_id
        for u in diff.other_updates
        if isinstance(u, types.UpdateDeleteChannelMessages)
        for msg_id in u.messages
    ]
    async with ctx.write() as conn:
        state = await get_sync_state(conn, channel.id)
        saved = await save_messages(conn, [r for r in rows + edits if r is not None], ctx.now())
        deleted = await mark_deleted(conn, channel.id, gone, ctx.now(), "update")
        values: dict[str, Any] = {"pts": diff.pts, "last_update_at": ctx.now()}
        new_ids = [r.msg_id for r in rows if r is not None]
        if new_ids and state.pass_max_id is None and state.last_sync_at is not None:
            # Every id up to the newest one is archived: the difference covers all since pts.
            values["synced_max_id"] = max(state.synced_max_id, *new_ids)
        await update_sync_state(conn, channel.id, **values)
    if saved.inserted or saved.edited or deleted:
        log.info(
            "channel %s: %d new, %d edited, %d deleted since the last look",
            channel.id,
            saved.inserted,
            saved.edited,
            len(deleted),
        )
    return _add(found, new=saved.inserted, edited=saved.edited, deleted=len(deleted))


async def _too_long(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel, diff: Any, found: CatchUp
) -> CatchUp:
    """Too much happened since the last look: restart from the dialog's pts and backfill."""
    log.info("channel %s: too much happened since the last look; fetching its history", channel.id)
    rows = [r for r in (message_row(m, channel.id) for m in diff.messages) if r is not None]
    async with ctx.write() as conn:
        await save_messages(conn, rows, ctx.now())
        await update_sync_state(conn, channel.id, pts=diff.dialog.pts)
    result = await backfill_channel(ctx, account, channel)
    return _add(found, new=result.inserted, edited=result.edited, too_long=True, backfilled=True)


async def _checked(ctx: WorkerContext, channel_id: int) -> None:
    async with ctx.write() as conn:
        await update_sync_state(conn, channel_id, last_check_at=ctx.now())


def _add(found: CatchUp, **more: Any) -> CatchUp:
    fields = {name: getattr(found, name) for name in CatchUp.__slots__}
    for name, value in more.items():
        fields[name] = value if isinstance(value, bool) else fields[name] + value
    return CatchUp(**fields)
