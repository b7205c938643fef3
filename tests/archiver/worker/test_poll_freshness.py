"""A polled channel's new post is stored by its next poll, whatever else the daemon is doing:
backfilling other channels under small buckets with every concurrency slot taken, or
reconciling the channel itself at the rate Telegram allows.

"Within the interval" is counted, not timed: between the post and its row in the archive the
channel is polled (updates.getChannelDifference) at most twice, the poll that may have been
in flight when it was posted and the next one, while the other work is still under way.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from waiting import wait_until

from archiver.db.schema import messages
from archiver.store.sync_state import get_sync_state
from archiver.worker.catch_up import catch_up
from archiver.worker.channels import add_channel
from archiver.worker.daemon import run_daemon

POLL_EVERY_SECOND = {
    "poll_budget": 600,
    "follow": "poll",
    "min_poll_interval": 1,
    "max_poll_interval": 1,
}
QUIET = {"poll_interval": 30, "reconcile_interval": 600, "erasure_check_interval": 600}


def _polls(world) -> int:
    return world.request_counts().get("GetChannelDifferenceRequest", 0)


async def _stored(ctx, channel_id: int) -> int:
    async with ctx.read() as conn:
        query = sa.select(sa.func.count()).where(messages.c.channel_id == channel_id)
        return int((await conn.execute(query)).scalar_one())


async def _has(ctx, channel_id: int, msg_id: int) -> bool:
    async with ctx.read() as conn:
        query = sa.select(messages.c.msg_id).where(
            messages.c.channel_id == channel_id, messages.c.msg_id == msg_id
        )
        return (await conn.execute(query)).first() is not None


async def _archived_and_polled(ctx, username: str) -> int:
    """Add the channel and archive it as a first catch-up does; its id."""
    channel = (await add_channel(ctx, f"@{username}")).channel
    await catch_up(ctx, ctx.accounts.primary, channel)
    return channel.id


async def test_a_poll_is_not_held_up_by_other_channels_backfill(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": {**QUIET, "concurrency": 1},
            "live": POLL_EVERY_SECOND,
        }
    )
    fresh = world.add_channel("fresh_feed", "Fresh")
    world.post(fresh, text="old news", push=False)
    big = [world.add_channel(f"big_{n}", f"Big {n}") for n in range(2)]
    for ch in big:
        for i in range(600):
            world.post(ch, text=f"archive {i}", push=False)
    async with sim_worker(config) as ctx:
        await _archived_and_polled(ctx, "fresh_feed")
        for n in range(2):
            await add_channel(ctx, f"@big_{n}")
        # Six pages per big channel at two a second, one channel at a time (concurrency 1).
        world.set_limits({"GetHistoryRequest": (2, 1.0)}, penalty=1.0)
        daemon = asyncio.create_task(run_daemon(ctx))
        try:

            async def backfilling() -> bool:
                return await _stored(ctx, big[0]) + await _stored(ctx, big[1]) > 0

            await wait_until(backfilling, what="a backfill under way")
            polls_before = _polls(world)
            msg_id = world.post(fresh, text="breaking")
            await wait_until(lambda: _has(ctx, fresh, msg_id), what="the new post stored")
            polls = _polls(world) - polls_before
            backfilled = [await _stored(ctx, ch) for ch in big]
        finally:
            ctx.stopping.set()
            await asyncio.wait_for(daemon, 30)
    assert polls <= 2, f"stored after {polls} polls of the channel, not by the next one"
    assert min(backfilled) < 600, f"stored only once the backfills ended: {backfilled}"


async def test_a_poll_is_not_held_up_by_its_own_channels_reconciliation(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": {**QUIET, "reconcile_interval": 3600},
            "live": POLL_EVERY_SECOND,
        }
    )
    ch = world.add_channel("busy_feed", "Busy")
    for i in range(500):
        world.post(ch, text=f"post {i}", push=False)
    async with sim_worker(config) as ctx:
        await _archived_and_polled(ctx, "busy_feed")
        # The daemon reconciles the 500 stored posts at start: five GetMessages of 100 ids,
        # one a second.
        world.set_limits({"GetMessagesRequest": (1, 1.0)}, penalty=1.0)
        daemon = asyncio.create_task(run_daemon(ctx))
        try:
            await wait_until(
                lambda: world.request_counts().get("GetMessagesRequest", 0) > 0,
                what="the reconciliation under way",
            )
            polls_before = _polls(world)
            msg_id = world.post(ch, text="breaking")
            await wait_until(lambda: _has(ctx, ch, msg_id), what="the new post stored")
            polls = _polls(world) - polls_before
            async with ctx.read() as conn:
                reconciled_at = (await get_sync_state(conn, ch)).reconciled_at
        finally:
            ctx.stopping.set()
            await asyncio.wait_for(daemon, 30)
    assert polls <= 2, f"stored after {polls} polls of the channel, not by the next one"
    assert reconciled_at is None, "stored only once the channel's reconciliation ended"
