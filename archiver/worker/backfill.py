"""Backfill a channel's history, newest to oldest, resumable at every batch.

A pass runs from the newest message down to ``synced_max_id`` (everything at or below it is
archived). Each batch of up to 100 messages is saved in the same transaction as the pass's
position, so an interrupted sync (Ctrl-C, crash, kill -9) resumes exactly where it stopped,
with no gap and no duplicate. When the pass reaches the bottom, ``synced_max_id`` becomes the
pass's top and the next sync only fetches what is newer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telethon import types

from archiver.store.channels import Channel
from archiver.store.messages import save_messages
from archiver.store.sync_state import finish_history_pass, get_sync_state, update_sync_state
from archiver.telegram.convert import message_row
from archiver.telegram.request_pacer import Priority
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext
from archiver.worker.history_pages import HistoryPage, history_page

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackfillResult:
    inserted: int
    edited: int
    pages: int
    read: frozenset[int] = frozenset()
    """The ids of the posts this call read from Telegram: they are stored as Telegram has them
    now, so reconciling them in the same pass would only read them again."""


async def backfill_channel(
    ctx: WorkerContext,
    account: TelegramAccount,
    channel: Channel,
    on_page: Callable[[list[Any]], Awaitable[None]] | None = None,
) -> BackfillResult:
    """Archive every message of ``channel`` not archived yet, read as ``account``; returns
    what was written. ``on_page`` is given each page's messages once they are stored (the
    media of a sync starts downloading their files while the walk goes on)."""
    peer = input_channel(account, channel)
    async with ctx.read() as conn:
        state = await get_sync_state(conn, channel.id)
    floor = state.synced_max_id
    top = state.pass_max_id
    offset = state.pass_offset_id or 0
    inserted = edited = pages = 0
    read: set[int] = set()
    delay = ctx.config.archive.history_page_delay
    # Catching up from an archived point is freshness; a first walk down the history is not.
    priority = Priority.LIVE if floor > 0 else Priority.BACKFILL
    started = False

    def page(offset_id: int) -> asyncio.Future[HistoryPage]:
        return asyncio.ensure_future(history_page(ctx, account, peer, offset_id, floor, priority))

    fetch = page(offset)
    try:
        while True:
            batch = await fetch
            if not started:
                ctx.reporter.channel_started(
                    channel.id, channel.title, _remaining(batch.total, floor, top)
                )
                started = True
            found = [m for m in batch.messages if not isinstance(m, types.MessageEmpty)]
            if not found:
                await _finish_pass(ctx, channel.id, floor, top)
                return BackfillResult(inserted, edited, pages, frozenset(read))
            rows = [row for row in (message_row(m, channel.id) for m in found) if row is not None]
            top = top if top is not None else max(m.id for m in found)
            low = min(m.id for m in found)
            last_page = low <= floor + 1
            if not last_page and delay <= 0:
                # Fetch the next page while this one is written: parsing and SQLite overlap.
                fetch = asyncio.ensure_future(
                    history_page(ctx, account, peer, low, floor, priority)
                )
            async with ctx.write() as conn:
                result = await save_messages(conn, rows, ctx.now())
                await update_sync_state(conn, channel.id, pass_max_id=top, pass_offset_id=low)
            inserted += result.inserted
            edited += result.edited
            pages += 1
            read.update(m.id for m in found)
            if on_page is not None:
                await on_page(found)
            ctx.reporter.advanced(channel.id, messages=len(found))
            if last_page:
                await _finish_pass(ctx, channel.id, floor, top)
                return BackfillResult(inserted, edited, pages, frozenset(read))
            if ctx.stopping.is_set():  # the batch in hand is committed; resume here next time
                return BackfillResult(inserted, edited, pages, frozenset(read))
            if delay > 0:
                await asyncio.sleep(delay)
                fetch = asyncio.ensure_future(
                    history_page(ctx, account, peer, low, floor, priority)
                )
    finally:
        if not fetch.done():
            fetch.cancel()


def _remaining(total: int | None, floor: int, top: int | None) -> int | None:
    return total if (total is not None and floor == 0 and top is None) else None


async def _finish_pass(ctx: WorkerContext, channel_id: int, floor: int, top: int | None) -> None:
    async with ctx.write() as conn:
        await finish_history_pass(conn, channel_id, floor, top, ctx.now())
