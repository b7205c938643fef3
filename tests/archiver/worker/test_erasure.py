"""Erased-channel detection through the simulator: each kind, confirmations, no false alarms."""

from __future__ import annotations

import time

import pytest

from archiver.store.channels import get_channel
from archiver.store.events import list_events
from archiver.worker.channels import add_channel
from archiver.worker.probe import check_channel

INTERVAL = 1800  # the default erasure_check_interval; the test clock jumps over it


@pytest.fixture
def clock():
    now = [int(time.time())]

    def tick() -> int:
        now[0] += INTERVAL
        return now[0]

    return now, tick


async def _probe_times(ctx, channel, clock, n: int):
    now, tick = clock
    ctx.clock = lambda: now[0]
    for _ in range(n):
        tick()
        await check_channel(ctx, ctx.accounts.primary, channel)
    async with ctx.read() as conn:
        return await get_channel(conn, channel.id), [
            e.kind for e in await list_events(conn, channel.id)
        ]


@pytest.mark.parametrize(
    ("erase", "reason"),
    [
        (lambda w, ch: w.make_private(ch), "private"),
        (lambda w, ch: w.delete_channel(ch), "deleted"),
        (lambda w, ch: w.ban(ch, "Blocked for violating terms"), "banned"),
        (lambda w, ch: w.restrict(ch, "all", "geo", "Not available in your country"), "restricted"),
    ],
)
async def test_each_erasure_kind_is_confirmed_then_erased(
    world, sim_worker, clock, erase, reason
) -> None:
    ch = world.add_channel("target", "Target")
    world.post(ch, text="keep me", push=False)
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@target")).channel
        erase(world, ch)
        after_two, _ = await _probe_times(ctx, channel, clock, 2)
        assert after_two.status == "suspect"
        erased, events = await _probe_times(ctx, channel, clock, 1)
    assert (erased.status, erased.status_reason) == ("erased", reason)
    assert erased.erased_at is not None
    assert events == ["added", "suspect", "erased"]


async def test_restored_channel_is_active_again(world, sim_worker, clock) -> None:
    ch = world.add_channel("comeback", "Comeback")
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@comeback")).channel
        world.make_private(ch)
        erased, _ = await _probe_times(ctx, channel, clock, 3)
        world.restore(ch)
        back, events = await _probe_times(ctx, channel, clock, 1)
    assert erased.status == "erased"
    assert (back.status, back.status_reason) == ("active", None)
    assert events == ["added", "suspect", "erased", "restored"]


async def test_flood_waits_are_not_evidence(world, sim_worker, clock) -> None:
    world.add_channel("busy_one", "Busy")
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@busy_one")).channel
        world.fail_next("GetChannelsRequest", "FLOOD_WAIT_5000", times=1)
        state, events = await _probe_times(ctx, channel, clock, 5)
    assert state.status == "active" and events == ["added"]


async def test_network_outage_is_not_evidence(world, sim_worker, clock) -> None:
    world.add_channel("offline", "Offline")
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@offline")).channel
        world.set_outage(True)
        try:
            state, events = await _probe_times(ctx, channel, clock, 3)
        finally:
            world.set_outage(False)
    assert state.status == "active" and events == ["added"]


async def test_rename_and_username_change_are_logged_not_erasure(world, sim_worker, clock) -> None:
    ch = world.add_channel("renamer", "Old title")
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@renamer")).channel
        world.rename(ch, "New title", push=False)
        world.set_username(ch, None, push=False)
        state, events = await _probe_times(ctx, channel, clock, 3)
    assert (state.status, state.title, state.username) == ("active", "New title", None)
    assert events == ["added", "renamed", "username_changed"]


async def test_a_probe_failing_on_every_retry_is_not_evidence(world, sim_worker, clock) -> None:
    world.add_channel("struggling", "Struggling")
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@struggling")).channel
        world.fail_next("GetChannelsRequest", "FLOOD_WAIT_1", times=6)  # 1 try + 5 retries
        state, events = await _probe_times(ctx, channel, clock, 1)
    assert world.conn.execute("SELECT SUM(remaining) FROM failures").fetchone()[0] == 0
    assert state.status == "active" and events == ["added"]
