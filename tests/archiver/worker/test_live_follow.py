"""The daemon follows polled channels without joining them, on intervals that adapt to how
often each channel posts."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from archiver.db.schema import messages
from archiver.store.sync_state import get_sync_state
from archiver.worker.catch_up import catch_up
from archiver.worker.channels import add_channel
from archiver.worker.daemon import run_daemon
from archiver.worker.live_follow import LiveFollow

POLL_EVERY_SECOND = {
    "archive": {"poll_interval": 30, "reconcile_interval": 600, "erasure_check_interval": 600},
    "live": {"follow": "poll", "min_poll_interval": 1, "max_poll_interval": 1},
}


async def _row(ctx, channel_id, msg_id):
    async with ctx.read() as conn:
        query = sa.select(messages.c.text, messages.c.deleted_how).where(
            messages.c.channel_id == channel_id, messages.c.msg_id == msg_id
        )
        return (await conn.execute(query)).first()


async def _until(predicate, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_polled_channel_follows_posts_edits_and_deletions(
    world, make_config, sim_worker
) -> None:
    config = make_config({**POLL_EVERY_SECOND, "simulator": {"world": str(world.path)}})
    ch = world.add_channel("polled_live", "Polled live")
    world.post(ch, text="before", push=False)
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@polled_live")
        task = asyncio.create_task(run_daemon(ctx))
        await _until(lambda: _row(ctx, ch, 1))
        new = world.post(ch, text="breaking")
        await _until(lambda: _row(ctx, ch, new))
        world.edit(ch, 1, text="before, corrected")  # reconciliation is 10 minutes away
        world.delete(ch, [new])

        async def edited_and_deleted() -> bool:
            old, gone = await _row(ctx, ch, 1), await _row(ctx, ch, new)
            return old.text == "before, corrected" and gone.deleted_how == "update"

        await _until(edited_and_deleted)
        ctx.stopping.set()
        await asyncio.wait_for(task, 10)
        async with ctx.read() as conn:
            state = await get_sync_state(conn, ch)
    assert world.joined_channels() == []
    assert state.follow_mode == "poll" and state.last_check_at is not None


async def test_poll_interval_adapts_to_how_often_a_channel_posts(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "live": {"poll_budget": 2, "min_poll_interval": 60, "max_poll_interval": 3600},
        }
    )
    busy = world.add_channel("busy_feed", "Busy")
    quiet = world.add_channel("quiet_feed", "Quiet")
    for i in range(100):
        world.post(busy, text=f"flash {i}", push=False)
    world.post(quiet, text="once", push=False)
    async with sim_worker(config) as ctx:
        follow = LiveFollow(ctx)
        channels = [(await add_channel(ctx, f"@{n}")).channel for n in ("busy_feed", "quiet_feed")]
        for channel in channels:
            await follow.settle(ctx.accounts.primary, channel)
        before = await follow.interval(busy), await follow.interval(quiet)
        for channel in channels:
            await catch_up(ctx, ctx.accounts.primary, channel)  # archived: the rates are known
        await follow.plan()  # as the daemon does every minute
        after = await follow.interval(busy), await follow.interval(quiet)
    assert before[0] == before[1]  # nothing archived yet: nothing tells them apart
    assert after[0] < before[0] and after[1] > after[0]
    assert after[0] >= 60 and after[1] <= 3600
    assert 60 / after[0] + 60 / after[1] <= 2 + 1e-9


async def test_a_budget_too_small_for_the_interval_says_how_much_is_needed(
    world, make_config, sim_worker, caplog
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "live": {"poll_budget": 1, "min_poll_interval": 10, "max_poll_interval": 60},
        }
    )
    for n in range(3):
        world.add_channel(f"feed_{n}", f"Feed {n}")
    async with sim_worker(config) as ctx:
        follow = LiveFollow(ctx)
        for n in range(3):
            channel = (await add_channel(ctx, f"@feed_{n}")).channel
            await follow.settle(ctx.accounts.primary, channel)
        await follow.plan()
    assert "poll 3 channels of one account within live.max_poll_interval (60 s)" in caplog.text
    assert "polled every 180 s; raise poll_budget to 3" in caplog.text
