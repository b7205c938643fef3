"""One sync pass over the followed channels (``tgmirror sync``): backfill, with each page's
files downloading while the walk goes on.

Channels run concurrently (``archive.concurrency``); one failing or rate-limited channel never
stops the others. Flood waits shorter than the client's threshold are slept by Telethon; longer
ones pause only that channel (its ``paused_until`` is stored) and, if short enough, the pass
waits for it at the end instead of giving up.

A pass takes the leases of its channels first (``worker/leasing.py``, under a default
``<hostname>-<pid>`` id, so a killed sync's leases go at once to the next process on the host),
renews them while it runs, and releases them at the end. A channel another live worker holds
is skipped, never written: ``tgmirror run`` workers and a sync never archive one channel at once.
With several Telegram accounts a channel is retried with another account when its own must
wait out a long flood wait, is signed out, or lost access to the channel (``agreed_probe``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc
from telethon import errors

from archiver.errors import ChannelRefError
from archiver.store.channels import Channel, list_channels
from archiver.store.leases import list_leases
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.worker.accounts import ACCOUNT_ERRORS, TelegramAccount, assign
from archiver.worker.backfill import backfill_channel
from archiver.worker.channels import add_channel, find_stored, refresh_channel
from archiver.worker.comments import archive_comments
from archiver.worker.context import WorkerContext
from archiver.worker.fence import LeaseLost, writing_for
from archiver.worker.history_pages import finish_takeouts
from archiver.worker.leasing import LeaseKeeper, default_worker_id
from archiver.worker.media import ChannelMedia
from archiver.worker.probe import agreed_probe
from archiver.worker.reconcile import reconcile_channel
from archiver.worker.web_channels import add_both_channel, add_web_channel, sync_web

log = logging.getLogger(__name__)


@dataclass
class ChannelOutcome:
    """How one channel's sync ended."""

    channel_id: int
    title: str
    outcome: str  # done | paused | unavailable | error | skipped (another worker holds it)
    inserted: int = 0
    edited: int = 0
    deleted: int = 0
    comments: int = 0
    media_stored: int = 0
    media_failed: int = 0
    media_bytes: int = 0
    detail: str = ""


@dataclass
class SyncReport:
    outcomes: list[ChannelOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # references that could not be added

    @property
    def ok(self) -> bool:
        return not self.errors and all(o.outcome in ("done", "skipped") for o in self.outcomes)


async def select_channels(ctx: WorkerContext, refs: list[str]) -> tuple[list[Channel], list[str]]:
    """Channels to sync: those named (from the archive), else every followed one.

    Channels listed in the config but not stored yet are added first (by whichever worker
    gets there first, when several start together).
    """
    problems: list[str] = []
    for entry in ctx.config.channels:
        try:
            if await find_stored(ctx, entry.ref) is not None:
                continue
        except ChannelRefError as exc:
            problems.append(str(exc))
            continue
        adders = {"web": add_web_channel, "both": add_both_channel}
        adder = adders.get(ctx.config.channel_source(entry), add_channel)
        try:
            result = await adder(ctx, entry.ref)
        except sa_exc.IntegrityError:
            continue  # another worker starting at the same moment stored it first
        if result.error:
            problems.append(result.error)
    async with ctx.read() as conn:
        following = await list_channels(conn, following_only=True)
    if not refs:
        return following, problems
    chosen: list[Channel] = []
    for text in refs:
        try:
            channel = await find_stored(ctx, text)
        except ChannelRefError as exc:
            problems.append(str(exc))
            continue
        if channel is None:
            problems.append(f"{text}: not in the archive; add it first with `tgmirror add {text}`")
        elif channel not in chosen:
            chosen.append(channel)
    return chosen, problems


async def sync_channels(ctx: WorkerContext, refs: list[str] | None = None) -> SyncReport:
    """Run one pass over the chosen channels whose lease it gets; never raises for a single
    channel's failure. The leases are released at the end, on an error or Ctrl-C too."""
    channels, problems = await select_channels(ctx, list(refs or []))
    limit = asyncio.Semaphore(ctx.config.archive.concurrency)
    report = SyncReport(errors=problems)
    keeper = LeaseKeeper(ctx, [c.id for c in channels], default_worker_id(), max_channels=0)
    ctx.fence = keeper.fence
    try:
        await keeper.refresh()
        skipped = await _skipped(ctx, [c for c in channels if c.id not in keeper.held])
        renewing = asyncio.create_task(_keep_renewed(ctx, keeper))
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {
                    c.id: group.create_task(_sync_one(ctx, c, limit))
                    for c in channels
                    if c.id in keeper.held
                }
        finally:
            renewing.cancel()
            await asyncio.wait([renewing])
    finally:
        ctx.fence = None
        await _release(keeper)
        await finish_takeouts(ctx)
    report.outcomes = [tasks[c.id].result() if c.id in tasks else skipped[c.id] for c in channels]
    return report


async def _skipped(ctx: WorkerContext, channels: list[Channel]) -> dict[int, ChannelOutcome]:
    """The outcome of each channel whose lease another live worker holds, naming the worker."""
    if not channels:
        return {}
    async with ctx.read() as conn:
        leases = await list_leases(conn)
    outcomes = {}
    for channel in channels:
        lease = leases.get(channel.id)
        holder = f"worker {lease.worker_id}" if lease else "another worker"
        detail = f"held by {holder}; skipped — stop that worker or let it archive"
        log.info("channel %s: %s", channel.id, detail)
        outcomes[channel.id] = ChannelOutcome(channel.id, channel.title, "skipped", detail=detail)
    return outcomes


async def _keep_renewed(ctx: WorkerContext, keeper: LeaseKeeper) -> None:
    """Renew the pass's leases every ``archive.lease_renew_interval`` (long backfills)."""
    every = ctx.config.archive.lease_renew_interval
    while True:
        await asyncio.sleep(every)
        try:
            await keeper.renew()
        except (sa_exc.DBAPIError, OSError) as exc:
            log.warning(
                "cannot renew channel leases (%s); retrying in %d s", _describe(exc)[:200], every
            )


async def _release(keeper: LeaseKeeper) -> None:
    """Give the leases back; a failure (a full disk) must not hide why the pass ended."""
    try:
        await keeper.release()
    except (sa_exc.DBAPIError, OSError) as exc:  # info: nothing for the user to do
        log.info(
            "cannot release channel leases (%s); they expire on their own", _describe(exc)[:200]
        )


async def _sync_one(
    ctx: WorkerContext, channel: Channel, limit: asyncio.Semaphore
) -> ChannelOutcome:
    """Sync one channel, its writes checked against its lease; stops if the lease is lost."""
    with writing_for(channel.id):
        try:
            return await _sync_leased(ctx, channel, limit)
        except LeaseLost:
            detail = "lease taken over by another worker; skipped the rest — it archives it now"
            log.warning("channel %s: %s", channel.id, detail)
            ctx.reporter.channel_finished(channel.id, "skipped")
            return ChannelOutcome(channel.id, channel.title, "skipped", detail=detail)


async def _sync_leased(
    ctx: WorkerContext, channel: Channel, limit: asyncio.Semaphore
) -> ChannelOutcome:
    outcome = ChannelOutcome(channel.id, channel.title, "done")
    while True:
        async with ctx.read() as conn:
            state = await get_sync_state(conn, channel.id)
        wait = (state.paused_until or 0) - ctx.now()
        if wait > ctx.max_flood_wait:
            outcome.outcome = "paused"
            outcome.detail = f"Telegram asked to wait {wait} s more; run sync again later"
            ctx.reporter.channel_finished(channel.id, outcome.outcome)
            return outcome
        if wait > 0:
            log.info("channel %s paused by a flood wait; resuming in %d s", channel.id, wait)
            await asyncio.sleep(wait)
        async with limit:
            done = await _attempt(ctx, channel, outcome)
        if done:
            ctx.reporter.channel_finished(channel.id, outcome.outcome)
            return outcome


async def _attempt(ctx: WorkerContext, channel: Channel, outcome: ChannelOutcome) -> bool:
    """Sync once; False means it should be retried: a flood wait paused the channel, or it
    moved to another account (several accounts). Channels read from t.me/s need no account."""
    if channel.source == "web":
        await sync_web(ctx, channel, outcome)
        return True
    account = await assign(ctx, channel)
    done = await _attempt_with(ctx, account, channel, outcome)
    if done and channel.source == "both" and outcome.outcome == "done":
        await sync_web(ctx, channel, outcome, witness=False)  # fills in what Telegram lacks
    return done


async def _attempt_with(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel, outcome: ChannelOutcome
) -> bool:
    pool = ctx.accounts
    try:
        channel = await refresh_channel(ctx, account, channel)
        outcome.title = channel.title
        async with ChannelMedia(ctx, account, channel) as files:
            # Files download from the moment their page is stored, not after the whole walk:
            # the history and the files share the time the buckets allow.
            await files.take_pending()
            history = await backfill_channel(ctx, account, channel, on_page=files.found)
            outcome.inserted += history.inserted
            checked = await reconcile_channel(ctx, account, channel, fresh=history.read)
            outcome.comments += await archive_comments(ctx, account, channel)
            outcome.edited += history.edited + checked.edited
            outcome.deleted += checked.deleted
            await files.take_pending()  # those reconciliation or comments stored
            media = await files.finish()
        outcome.media_stored += media.stored
        outcome.media_failed += media.failed
        outcome.media_bytes += media.bytes
    except errors.FloodWaitError as exc:
        if pool.rest(account, exc.seconds, channel.id):
            return False
        log.warning("flood wait of %d s on channel %s", exc.seconds, channel.id)
        await _record(ctx, channel.id, f"flood wait {exc.seconds} s", paused=exc.seconds)
        return False
    except (errors.ChannelPrivateError, errors.ChannelInvalidError, ChannelRefError) as exc:
        if pool.several and (await agreed_probe(ctx, account, channel))[0].kind == "ok":
            return False  # this account lost access; another one reads the channel
        outcome.outcome = "unavailable"
        outcome.detail = _describe(exc)
        await _record(ctx, channel.id, outcome.detail)
        return True
    except (errors.RPCError, ConnectionError, OSError, TimeoutError) as exc:
        if pool.several and isinstance(exc, ACCOUNT_ERRORS):
            pool.retire(account, exc.__class__.__name__)
            return False  # its channels go on with the other accounts
        outcome.outcome = "error"
        outcome.detail = _describe(exc)
        log.warning("channel %s: %s", channel.id, outcome.detail)
        await _record(ctx, channel.id, outcome.detail)
        return True
    async with ctx.write() as conn:
        await update_sync_state(conn, channel.id, last_error=None, paused_until=None)
    return True


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:300]


async def _record(ctx: WorkerContext, channel_id: int, error: str, paused: int = 0) -> None:
    values: dict[str, object] = {"last_error": error, "last_error_at": ctx.now()}
    if paused:
        values["paused_until"] = ctx.now() + paused
    async with ctx.write() as conn:
        state = await get_sync_state(conn, channel_id)
        await update_sync_state(conn, channel_id, error_count=state.error_count + 1, **values)
