"""``tgmirror run``: follow every channel for as long as it runs.

On start each channel catches up (backfill of what was posted while we were down, then a
reconciliation of recent posts for edits and deletions); then live updates arrive through
Telethon's handlers while a loop per channel polls (fallback for updates Telegram does not
push), reconciles and probes for erasure on their intervals. A failing channel only delays
itself. Setting ``ctx.stopping`` ends every loop after the batch in hand is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telethon import errors

from archiver.store.channels import Channel, get_channel
from archiver.store.sync_state import update_sync_state
from archiver.worker.backfill import backfill_channel
from archiver.worker.comments import archive_comments
from archiver.worker.context import WorkerContext
from archiver.worker.live import follow_live, wait_for
from archiver.worker.media import download_channel_media
from archiver.worker.probe import check_channel
from archiver.worker.reconcile import reconcile_channel
from archiver.worker.sync import select_channels

log = logging.getLogger(__name__)


@dataclass
class Timers:
    """When each periodic job of a channel is next due (loop clock, seconds)."""

    poll: float = 0.0
    reconcile: float = 0.0
    probe: float = 0.0


async def run_daemon(
    ctx: WorkerContext,
    *,
    until: Callable[[], Awaitable[bool]] | None = None,
    check_every: float = 0.5,
) -> None:
    """Follow every followed channel until ``ctx.stopping`` is set (or ``until()`` is true)."""
    channels, problems = await select_channels(ctx, [])
    for problem in problems:
        log.warning("%s", problem)
    wakes = {c.id: asyncio.Event() for c in channels}
    follow_live(ctx, set(wakes), lambda cid: wakes[cid].set() if cid in wakes else None)
    limit = asyncio.Semaphore(ctx.config.archive.concurrency)
    log.info("following %d channels", len(channels))
    async with asyncio.TaskGroup() as group:
        group.create_task(_keep_connected(ctx))
        for channel in channels:
            group.create_task(_channel_loop(ctx, channel, wakes[channel.id], limit))
        if until is not None:
            group.create_task(_stop_when(ctx, until, check_every))
    log.info("stopped")


async def _keep_connected(ctx: WorkerContext, every: float = 2.0) -> None:
    """Reconnect the client after Telethon gave up (a long network outage), with backoff."""
    delay = every
    while not ctx.stopping.is_set():
        if not ctx.client.is_connected():
            try:
                await ctx.client.connect()
                log.info("reconnected to Telegram")
                delay = every
            except (ConnectionError, OSError, TimeoutError) as exc:
                log.warning("still offline (%s); retrying in %.0f s", exc.__class__.__name__, delay)
                delay = min(delay * 2, 60.0)
        await wait_for(ctx.stopping, delay)


async def _stop_when(
    ctx: WorkerContext, until: Callable[[], Awaitable[bool]], every: float
) -> None:
    while not ctx.stopping.is_set():
        if await until():
            ctx.stopping.set()
            return
        await wait_for(ctx.stopping, every)


async def _channel_loop(
    ctx: WorkerContext, channel: Channel, wake: asyncio.Event, limit: asyncio.Semaphore
) -> None:
    archive = ctx.config.archive
    loop = asyncio.get_running_loop()
    due = Timers()
    failures = 0
    while not ctx.stopping.is_set():
        now = loop.time()
        try:
            if now >= due.probe:
                await check_channel(ctx, channel)
                due.probe = now + archive.erasure_check_interval
            async with ctx.read() as conn:
                channel = await get_channel(conn, channel.id) or channel
            if channel.status == "active" and (now >= due.poll or wake.is_set()):
                wake.clear()
                async with limit:
                    await backfill_channel(ctx, channel)
                    await download_channel_media(ctx, channel)
                due.poll = now + archive.poll_interval
            if channel.status == "active" and now >= due.reconcile:
                async with limit:
                    await reconcile_channel(ctx, channel)
                    await archive_comments(ctx, channel)
                due.reconcile = now + archive.reconcile_interval
        except errors.FloodWaitError as exc:
            log.warning("channel %s: flood wait %d s", channel.id, exc.seconds)
            due.poll = due.reconcile = loop.time() + exc.seconds
        except (errors.RPCError, ConnectionError, OSError, TimeoutError) as exc:
            detail = f"{exc.__class__.__name__}: {exc}"[:300]
            failures += 1
            backoff = min(2.0**failures, 60.0, max(archive.poll_interval, 1.0))
            log.warning("channel %s: %s (retrying in %.0f s)", channel.id, detail, backoff)
            async with ctx.write() as conn:
                await update_sync_state(conn, channel.id, last_error=detail,
                                        last_error_at=ctx.now())  # fmt: skip
            retry = loop.time() + backoff
            due.poll = max(due.poll, retry)
            due.reconcile = max(due.reconcile, retry)
        else:
            failures = 0
        next_due = min(due.poll, due.reconcile, due.probe) - loop.time()
        if ctx.stopping.is_set() or wake.is_set():
            continue
        await _sleep_until(ctx.stopping, wake, next_due)


async def _sleep_until(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=max(0.05, seconds), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
