"""``tgmirror run``: follow every channel this worker holds the lease of, for as long as it runs.

Channels are leased (``worker/leasing.py``): one worker alone takes them all, several workers
on one database split them and take over those of a worker that died. Every
``archive.lease_renew_interval`` seconds the daemon renews its leases and starts or stops
per-channel loops as leases are gained or lost. On start each channel catches up (backfill of
what was posted while we were down, then a reconciliation of recent posts for edits and
deletions); then live updates arrive through Telethon's handlers while the channel's loop
polls (fallback for updates Telegram does not push), reconciles and probes for erasure on
their intervals, polls never waiting for probes, reconciliation or media
(``worker/channel_loop.py``). A failing channel only delays itself. With several Telegram
accounts each pass runs with the channel's account (``worker/accounts.py``), and a long flood
wait, a sign-out or a lost access moves the channel to another. Setting ``ctx.stopping`` ends
every loop after the batch in hand is committed; the leases are then released.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc

from archiver.evidence.signing import keep_signing
from archiver.evidence.timestamps import keep_timestamping
from archiver.evidence.witness_run import keep_witnessing
from archiver.store.channels import Channel, get_channel
from archiver.worker.channel_loop import Timers, telegram_channel_loop
from archiver.worker.context import WorkerContext
from archiver.worker.fence import LeaseLost, writing_for
from archiver.worker.history_pages import finish_takeouts
from archiver.worker.leasing import LeaseKeeper, default_worker_id
from archiver.worker.live import follow_live, wait_for
from archiver.worker.live_follow import LiveFollow
from archiver.worker.sync import select_channels

log = logging.getLogger(__name__)

STOP_GRACE = 15.0
"""Seconds the channel loops get after a stop to commit the batch in hand before they are
interrupted. Telethon has no per-request timeout and re-sends a request whose answer Telegram
lost only when its keep-alive finds the connection silent (60-120 s), so a loop waiting on one
would hold a SIGTERM past systemd's 90 s. Interrupting loses nothing: every write is one
transaction and downloads resume from their part logs, as after kill -9."""


@dataclass
class ChannelRun:
    """One channel's loop: ``wake`` brings its next poll forward, ``stop`` ends it."""

    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


@dataclass
class LeasedChannels:
    """The loops of the channels this worker holds, kept in step with its leases."""

    ctx: WorkerContext
    keeper: LeaseKeeper
    channels: dict[int, Channel]
    runs: dict[int, ChannelRun] = field(default_factory=dict)
    followed: set[int] = field(default_factory=set)
    """Channels whose live updates this worker stores (read by the live handlers)."""
    follow: LiveFollow | None = None
    """How each held channel is followed (joined or polled) and when it is next polled."""

    def wake(self, channel_id: int) -> None:
        if channel_id in self.runs:
            self.runs[channel_id].wake.set()

    async def hold(self, group: asyncio.TaskGroup) -> None:
        """Renew and take leases on the timer; a loop per held channel, lost ones stopped."""
        ctx = self.ctx
        limit = asyncio.Semaphore(ctx.config.archive.concurrency)
        every = ctx.config.archive.lease_renew_interval
        follow = self.follow = self.follow or LiveFollow(ctx)
        while not ctx.stopping.is_set():
            await self._refresh(every)
            held = self.keeper.held
            for channel_id, run in list(self.runs.items()):
                if channel_id not in held:
                    run.stop.set()
                    self.followed.discard(channel_id)
                    follow.forget(channel_id)
                if run.task is not None and run.task.done():
                    del self.runs[channel_id]
            for channel_id in held:
                if channel_id not in self.runs:
                    run = self.runs[channel_id] = ChannelRun()
                    channel = self.channels[channel_id]
                    run.task = group.create_task(_leased_loop(ctx, channel, run, limit, follow))
                    self.followed.add(channel_id)
            await wait_for(ctx.stopping, every)
        await self._wind_down(STOP_GRACE)

    async def _wind_down(self, grace: float) -> None:
        """After a stop: wait ``grace`` seconds for the loops to end, then interrupt the rest."""
        busy = {cid: r.task for cid, r in self.runs.items() if r.task and not r.task.done()}
        if not busy:
            return
        _, pending = await asyncio.wait(busy.values(), timeout=grace)
        if not pending:
            return
        current = asyncio.current_task()
        for task in asyncio.all_tasks():
            if task is not current and not task.done():
                log.info("still running %.0f s after the stop: %s", grace, awaiting(task))
        for channel_id, task in busy.items():
            if task in pending:
                log.info("channel %s: interrupted; what it committed is kept", channel_id)
                task.cancel()
        await asyncio.wait(pending)

    async def _refresh(self, every: int) -> None:
        try:
            change = await self.keeper.refresh()
        except (sa_exc.DBAPIError, OSError) as exc:
            if _disk_trouble(exc):
                raise
            log.warning(
                "cannot renew channel leases (%s); retrying in %d s",
                f"{exc.__class__.__name__}: {exc}"[:200],
                every,
            )
            return
        if change.gained or change.lost:
            log.info(
                "worker %s holds %d of %d channels",
                self.keeper.worker_id,
                len(self.keeper.held),
                len(self.channels),
            )


async def run_daemon(
    ctx: WorkerContext,
    *,
    until: Callable[[], Awaitable[bool]] | None = None,
    check_every: float = 0.5,
) -> None:
    """Follow the followed channels this worker can lease until ``ctx.stopping`` is set (or
    ``until()`` is true); the worker id is ``archive.worker_id``, else ``<hostname>-<pid>``."""
    channels, problems = await select_channels(ctx, [])
    for problem in problems:
        log.warning("%s", problem)
    worker_id = ctx.config.archive.worker_id or default_worker_id()
    keeper = LeaseKeeper(ctx, [c.id for c in channels], worker_id)
    leased = LeasedChannels(ctx, keeper, {c.id: c for c in channels})
    follow_live(ctx, leased.followed, leased.wake)
    log.info("worker %s: %d channels to share", worker_id, len(channels))
    ctx.fence = keeper.fence
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_keep_connected(ctx))
            if ctx.config.evidence.enabled:
                data_dir, every = ctx.config.storage.data_dir, ctx.config.evidence.head_interval
                group.create_task(
                    keep_signing(ctx.engine, data_dir, every, ctx.stopping, ctx.clock)
                )
            if ctx.config.evidence.tsa_urls:
                group.create_task(
                    keep_timestamping(
                        ctx.engine,
                        ctx.config.evidence.tsa_urls,
                        ctx.config.evidence.head_interval,
                        ctx.stopping,
                    )
                )
            if ctx.config.evidence.witness_urls:
                group.create_task(
                    keep_witnessing(
                        ctx.engine,
                        ctx.config.storage.data_dir,
                        ctx.config.evidence.witness_urls,
                        ctx.config.evidence.witness_interval,
                        ctx.stopping,
                        ctx.clock,
                    )
                )
            if until is not None:
                group.create_task(_stop_when(ctx, until, check_every))
            await leased.hold(group)
        await keeper.release()
    finally:
        ctx.fence = None
        await finish_takeouts(ctx)
    log.info("stopped")


def awaiting(task: asyncio.Task[object]) -> str:
    """What ``task`` is waiting in, outermost coroutine first (``a > b > c``): says in the log
    where a loop that did not end in time was stuck."""
    names: list[str] = []
    frame: object = task.get_coro()
    while frame is not None and len(names) < 20:
        code = getattr(frame, "cr_code", None) or getattr(frame, "gi_code", None)
        if code is None:
            names.append(type(frame).__name__)
            break
        names.append(code.co_name)
        frame = getattr(frame, "cr_await", None) or getattr(frame, "gi_yieldfrom", None)
    return f"{task.get_name()}: {' > '.join(names)}"


def _disk_trouble(exc: BaseException) -> bool:
    """A full or read-only disk: no retry helps, the daemon stops (``cli.context`` says why)."""
    text = str(exc).lower()
    return any(word in text for word in ("disk", "full", "readonly", "read-only"))


async def _leased_loop(
    ctx: WorkerContext,
    channel: Channel,
    run: ChannelRun,
    limit: asyncio.Semaphore,
    follow: LiveFollow,
) -> None:
    """The channel's loop, its writes checked against its lease; ends quietly when it is lost."""
    with writing_for(channel.id):
        try:
            await _channel_loop(ctx, channel, run.wake, limit, run.stop, follow)
        except LeaseLost:
            log.warning(
                "channel %s: lease no longer ours; this worker stops archiving it", channel.id
            )


async def _keep_connected(ctx: WorkerContext, every: float = 2.0) -> None:
    """Reconnect the clients after Telethon gave up (a long network outage), with backoff."""
    delay = every
    while not ctx.stopping.is_set():
        offline = [a for a in ctx.accounts.live() if not a.client.is_connected()]
        for account in offline:
            try:
                await account.client.connect()
                log.info("reconnected to Telegram (account %s)", account.name)
                delay = every
            except (ConnectionError, OSError, TimeoutError) as exc:
                log.warning("still offline (%s); retrying in %.0f s", exc.__class__.__name__, delay)
                delay = min(delay * 2, 60.0)
                break
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
    ctx: WorkerContext,
    channel: Channel,
    wake: asyncio.Event,
    limit: asyncio.Semaphore,
    stop: asyncio.Event,
    follow: LiveFollow,
) -> None:
    if channel.source != "web":
        await telegram_channel_loop(ctx, channel, wake, limit, stop, follow)
        return
    loop = asyncio.get_running_loop()
    due = Timers()
    while not (ctx.stopping.is_set() or stop.is_set()):
        # t.me/s: no account; faults are only ever inconclusive
        channel = await web_channel_pass(ctx, channel, due, loop.time(), limit)
        next_due = min(due.poll, due.reconcile, due.probe) - loop.time()
        if not (ctx.stopping.is_set() or stop.is_set() or wake.is_set()):
            await _sleep_until((ctx.stopping, stop, wake), next_due)
        wake.clear()


async def web_channel_pass(
    ctx: WorkerContext, channel: Channel, due: Timers, now: float, limit: asyncio.Semaphore
) -> Channel:
    """Probe (t.me as witness), poll the newest page and sweep older ones (the reconciliation
    of a channel read from t.me/s), whichever is due."""
    from archiver.worker.sync import ChannelOutcome
    from archiver.worker.web_channels import sweep_web, sync_web
    from archiver.worker.web_erasure import check_web_channel

    archive = ctx.config.archive
    if now >= due.probe:
        await check_web_channel(ctx, channel)
        due.probe = now + archive.erasure_check_interval
    async with ctx.read() as conn:
        channel = await get_channel(conn, channel.id) or channel
    if channel.status == "active" and now >= due.poll:
        async with limit:
            outcome = ChannelOutcome(channel.id, channel.title, "done")
            await sync_web(ctx, channel, outcome, sweep=False)
        due.poll = now + archive.poll_interval
    if channel.status == "active" and now >= due.reconcile:
        async with limit:
            await sweep_web(ctx, channel)
        due.reconcile = now + archive.reconcile_interval
    return channel


async def _sleep_until(events: tuple[asyncio.Event, ...], seconds: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=max(0.05, seconds), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
