"""One Telegram channel's life in ``tgmirror run``: three strands, so freshness never waits.

The *fresh* strand catches the channel up (one updates.getChannelDifference) on its poll
interval, or at once when a live update wakes it; it joins the channel first when it is to be
joined. The *watch* strand probes the channel for erasure (channels.getChannels) on
``archive.erasure_check_interval``. The *upkeep* strand downloads the channel's pending media
and reconciles its recent posts and comments. When one loop did all of it in turn, a poll
waited for the channel's reconciliation (a dozen GetMessages paced at the rate Telegram
allows, shared with every other channel) or for a large download, and polled channels were
stored 40 s after a post though polled every 5 s. When the probe came before the catch-up, a
daemon starting with 50 channels probed all 50 first, at the GetChannels rate (2/s under small
buckets), and the last channels were neither joined nor polled for 25 s: a probe says whether
the channel still exists, which no post's freshness depends on. A catch-up that needs no
backfill takes no ``archive.concurrency`` slot either: the slots bound backfills, downloads and
reconciliations, and a poll waiting for one waited for other channels' whole backfills.

The next poll is due one interval after the last one *started*, less the time a poll takes
(the slowest of the last few): a post made just after a poll is then stored within the
interval.
The strands share the error handling: a long flood wait moves the channel to another
account (or pauses that strand), other errors back off and are recorded for ``status``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from telethon import errors

from archiver.store.channels import Channel, get_channel
from archiver.store.sync_state import update_sync_state
from archiver.worker.accounts import ACCOUNT_ERRORS, LOST_ACCESS, TelegramAccount, assign
from archiver.worker.catch_up import catch_up
from archiver.worker.comments import archive_comments
from archiver.worker.context import WorkerContext
from archiver.worker.fence import LeaseLost
from archiver.worker.live_follow import LiveFollow
from archiver.worker.media import download_channel_media
from archiver.worker.probe import check_channel
from archiver.worker.reconcile import reconcile_channel

log = logging.getLogger(__name__)

RECENT_POLLS = 8
"""Polls whose duration sets how early the next one starts (the slowest of them)."""

Step = Callable[[TelegramAccount, Channel], Awaitable[Channel]]
"""Whatever of a strand's work is due, done as the account; returns the channel as stored."""


@dataclass
class Timers:
    """When each periodic job of a channel is next due (loop clock, seconds)."""

    poll: float = 0.0
    reconcile: float = 0.0
    probe: float = 0.0


@dataclass
class ChannelStrands:
    """What the two strands of one channel share."""

    ctx: WorkerContext
    follow: LiveFollow
    slot: AbstractAsyncContextManager[object]
    """An ``archive.concurrency`` slot: held for backfills, downloads and reconciliations."""
    stop: asyncio.Event
    wake: asyncio.Event
    """Set by a live update: catch up now."""
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a strand found the channel's lease lost: all end."""
    due: Timers = field(default_factory=Timers)
    media_wanted: asyncio.Event = field(default_factory=asyncio.Event)
    probe_wanted: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when an error may mean the channel is gone: probe it now."""
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    """Set after the first catch-up: upkeep starts once the channel's history is in."""
    took: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_POLLS))
    """Seconds the last few polls took, from their start to what they found stored."""

    def stopped(self) -> bool:
        return self.ctx.stopping.is_set() or self.stop.is_set() or self.lost.is_set()

    async def watch(self, account: TelegramAccount, channel: Channel) -> Channel:
        """Probe the channel for erasure when due or wanted."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now >= self.due.probe or self.probe_wanted.is_set():
            self.probe_wanted.clear()
            async with self.ctx.read() as conn:
                channel = await get_channel(conn, channel.id) or channel
            seen = await check_channel(self.ctx, account, channel)
            self.due.probe = now + self.ctx.config.archive.erasure_check_interval
            if seen.state.status != channel.status:
                self.wake.set()  # back to active: catch up now, not at the next poll
        return channel

    async def fresh(self, account: TelegramAccount, channel: Channel) -> Channel:
        """Catch up when due or woken; then media are wanted."""
        loop = asyncio.get_running_loop()
        due, now = self.due, loop.time()
        async with self.ctx.read() as conn:
            channel = await get_channel(conn, channel.id) or channel
        if channel.status == "active" and (now >= due.poll or self.wake.is_set()):
            self.wake.clear()
            await self.follow.settle(account, channel)
            started = loop.time()
            found = await catch_up(self.ctx, account, channel, slot=self.slot)
            interval = await self.follow.interval(channel.id)
            if found.backfilled:  # catch up at once with what was posted meanwhile
                due.poll = started
            else:
                # A post made just after this poll's request must be stored by the next poll
                # within the interval: start that one early by what a poll takes.
                self.took.append(loop.time() - started)
                due.poll = started + max(interval - max(self.took), interval / 2)
            self.caught_up.set()
            self.media_wanted.set()
        elif channel.status != "active" and now >= due.poll:
            # Not followed while erased or restricted: look again at the archive's pace (the
            # watch strand's probe is what may turn it back to active), not 20 times a second.
            due.poll = now + self.ctx.config.archive.poll_interval
        return channel

    async def upkeep(self, account: TelegramAccount, channel: Channel) -> Channel:
        """Download wanted media; reconcile recent posts and comments when due."""
        loop = asyncio.get_running_loop()
        async with self.ctx.read() as conn:
            channel = await get_channel(conn, channel.id) or channel
        if channel.status != "active":
            return channel
        if self.media_wanted.is_set():
            self.media_wanted.clear()
            async with self.slot:
                await download_channel_media(self.ctx, account, channel)
        now = loop.time()
        if now >= self.due.reconcile:
            async with self.slot:
                await reconcile_channel(self.ctx, account, channel)
                await archive_comments(self.ctx, account, channel)
            self.due.reconcile = now + self.ctx.config.archive.reconcile_interval
        return channel


async def telegram_channel_loop(
    ctx: WorkerContext,
    channel: Channel,
    wake: asyncio.Event,
    slot: AbstractAsyncContextManager[object],
    stop: asyncio.Event,
    follow: LiveFollow,
) -> None:
    """Follow ``channel`` until ``stop`` or ``ctx.stopping``: its fresh, watch and upkeep strands.
    Raises ``LeaseLost`` when one found the channel's lease lost (all then end)."""
    strands = ChannelStrands(ctx, follow, slot, stop, wake)

    async def fresh() -> None:
        await _strand(strands, channel, strands.fresh, (wake,), "poll")

    async def watch() -> None:
        await _strand(strands, channel, strands.watch, (strands.probe_wanted,), "probe")

    async def upkeep() -> None:
        await _first(strands.caught_up, strands.lost, ctx.stopping, stop)
        await _strand(strands, channel, strands.upkeep, (strands.media_wanted,), "reconcile")

    async with asyncio.TaskGroup() as group:
        group.create_task(_ending_on_lost_lease(strands, fresh))
        group.create_task(_ending_on_lost_lease(strands, watch))
        group.create_task(_ending_on_lost_lease(strands, upkeep))
    if strands.lost.is_set():
        raise LeaseLost(channel.id)


async def _ending_on_lost_lease(
    strands: ChannelStrands, strand: Callable[[], Awaitable[None]]
) -> None:
    try:
        await strand()
    except LeaseLost:
        strands.lost.set()


async def _strand(
    strands: ChannelStrands,
    channel: Channel,
    step: Step,
    wakers: tuple[asyncio.Event, ...],
    timer: str,
) -> None:
    """Run ``step`` whenever one of ``wakers`` is set or a timer of the strand is due; on an
    error, back off ``timer`` (``poll``, ``probe`` or ``reconcile``) and record the error."""
    ctx, due = strands.ctx, strands.due
    loop = asyncio.get_running_loop()
    pool = ctx.accounts
    failures = 0
    while not strands.stopped():
        account = pool.choose(channel.id)
        try:
            account = await assign(ctx, channel)
            channel = await step(account, channel)
        except errors.FloodWaitError as exc:
            if not pool.rest(account, exc.seconds, channel.id):
                log.warning("channel %s: flood wait %d s", channel.id, exc.seconds)
                setattr(due, timer, loop.time() + exc.seconds)
        except (errors.RPCError, ConnectionError, OSError, TimeoutError) as exc:
            if pool.several and isinstance(exc, ACCOUNT_ERRORS):
                pool.retire(account, exc.__class__.__name__)
                continue  # its channels go on with the other accounts at once
            if pool.several and isinstance(exc, LOST_ACCESS) and timer != "probe":
                strands.probe_wanted.set()  # the agreed probe tells a lost account from erasure
            detail = f"{exc.__class__.__name__}: {exc}"[:300]
            failures += 1
            backoff = min(2.0**failures, 60.0, max(ctx.config.archive.poll_interval, 1.0))
            log.warning("channel %s: %s (retrying in %.0f s)", channel.id, detail, backoff)
            async with ctx.write() as conn:
                await update_sync_state(
                    conn, channel.id, last_error=detail, last_error_at=ctx.now()
                )
            setattr(due, timer, max(getattr(due, timer), loop.time() + backoff))
        else:
            failures = 0
        if strands.stopped() or any(event.is_set() for event in wakers):
            continue
        next_due = getattr(due, timer) - loop.time()
        await _first(ctx.stopping, strands.stop, strands.lost, *wakers, seconds=next_due)


async def _first(*events: asyncio.Event, seconds: float | None = None) -> None:
    """Return when one of ``events`` is set, or after ``seconds`` (None: no time limit)."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        timeout = None if seconds is None else max(0.05, seconds)
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
