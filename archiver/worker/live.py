"""Live updates: new posts, edits and deletions pushed by Telegram, stored as they arrive.

Handlers are registered on the Telethon client for the followed channels; each stores what
it receives in one short write and wakes the channel's loop so that media are fetched.
Telegram does not push everything (and nothing while we are offline), which is why the
daemon also polls and reconciles.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telethon import events, utils

from archiver.store.messages import mark_deleted, save_messages
from archiver.store.sync_state import update_sync_state
from archiver.telegram.convert import message_row
from archiver.worker.accounts import TelegramAccount
from archiver.worker.context import WorkerContext
from archiver.worker.fence import LeaseLost, writing_for

log = logging.getLogger(__name__)


def channel_id_of(event: object) -> int | None:
    """The (unmarked) channel id an update is about, or None if it is not a channel's."""
    chat_id = getattr(event, "chat_id", None)
    if chat_id is None:
        return None
    real, kind = utils.resolve_id(chat_id)
    return real if kind.__name__ == "PeerChannel" else None


def follow_live(ctx: WorkerContext, followed: set[int], wake: Callable[[int], None]) -> None:
    """Register handlers storing updates of channels in ``followed`` (a live, mutable set: the
    channels this worker holds the lease of; other workers store the others' updates).

    With several accounts each account's client gets them, and stores the updates of the
    channels archived with that account only (every account may be a member of every channel).
    """
    for account in ctx.accounts.accounts:
        _follow(ctx, account, followed, wake)


def _follow(
    ctx: WorkerContext,
    account: TelegramAccount,
    followed: set[int],
    wake: Callable[[int], None],
) -> None:
    def ours(channel_id: int) -> bool:
        return channel_id in followed and ctx.accounts.archives_with(channel_id, account)

    async def store_message(event: events.NewMessage.Event) -> None:
        channel_id = channel_id_of(event)
        if channel_id is None or not ours(channel_id):
            return
        row = message_row(event.message, channel_id)
        if row is None:
            return
        try:
            with writing_for(channel_id):
                async with ctx.write() as conn:
                    result = await save_messages(conn, [row], ctx.now())
                    await update_sync_state(conn, channel_id, last_update_at=ctx.now())
        except LeaseLost:
            return  # another worker holds the channel now; it stores this update
        except Exception:  # a handler must never kill the update loop
            log.exception("could not store live message %s/%s", channel_id, row.msg_id)
            return
        what = "new" if result.inserted else ("edited" if result.edited else "seen")
        log.info("live %s message %s/%s", what, channel_id, row.msg_id)
        wake(channel_id)

    async def store_deletion(event: events.MessageDeleted.Event) -> None:
        channel_id = channel_id_of(event)
        if channel_id is None or not ours(channel_id):
            return
        try:
            with writing_for(channel_id):
                async with ctx.write() as conn:
                    marked = await mark_deleted(
                        conn, channel_id, event.deleted_ids, ctx.now(), "update"
                    )
                    await update_sync_state(conn, channel_id, last_update_at=ctx.now())
        except LeaseLost:
            return
        except Exception:
            log.exception("could not store live deletion in %s", channel_id)
            return
        if marked:
            log.info("live deletion of %s in channel %s", marked, channel_id)

    account.client.add_event_handler(store_message, events.NewMessage())
    account.client.add_event_handler(store_message, events.MessageEdited())
    account.client.add_event_handler(store_deletion, events.MessageDeleted())


async def wait_for(event: asyncio.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass; True if it was set."""
    try:
        await asyncio.wait_for(event.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        return False
    return True
