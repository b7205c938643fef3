"""A daemon starting with many channels polls and joins each of them at once: neither waits for
the erasure probes of every channel (paced at the GetChannels rate Telegram allows) nor for a
history page per channel after a first sync. Probes run beside the polls, and a channel the
probe finds restored after an erasure is caught up at once, not at its next poll.

Counted, not timed: the new posts are stored while fewer probes than channels have been sent,
with no history page read, and (restored) long before the channel's poll interval of an hour.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from waiting import wait_until

from archiver.db.schema import messages
from archiver.store.channels import get_channel
from archiver.worker.channels import add_channel
from archiver.worker.daemon import run_daemon
from archiver.worker.sync import sync_channels

POLL_EVERY_SECOND = {
    "poll_budget": 600,
    "follow": "poll",
    "min_poll_interval": 1,
    "max_poll_interval": 1,
}
QUIET = {"poll_interval": 30, "reconcile_interval": 600, "erasure_check_interval": 600}
CHANNELS = 6


async def _all_stored(ctx, posts: dict[int, int]) -> bool:
    async with ctx.read() as conn:
        query = sa.select(messages.c.channel_id, messages.c.msg_id).where(
            messages.c.channel_id.in_(list(posts))
        )
        rows = {(cid, mid) for cid, mid in await conn.execute(query)}
    return all((cid, mid) in rows for cid, mid in posts.items())


async def _synced_channels(world, ctx) -> list[int]:
    ids = [world.add_channel(f"feed_{n}", f"Feed {n}") for n in range(CHANNELS)]
    for ch in ids:
        world.post(ch, text="old news", push=False)
    for n in range(CHANNELS):
        await add_channel(ctx, f"@feed_{n}")
    await sync_channels(ctx)
    return ids


async def test_new_posts_are_stored_before_every_channel_is_probed(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": QUIET,
            "live": POLL_EVERY_SECOND,
            "channels": [
                {"ref": f"@feed_{n}", "follow": "join" if n % 2 else "poll"}
                for n in range(CHANNELS)
            ],
        }
    )
    async with sim_worker(config) as ctx:
        ids = await _synced_channels(world, ctx)
        # One probe every three seconds: probing all six takes 15 s or more.
        world.set_limits({"GetChannelsRequest": (1, 3.0)}, penalty=1.0)
        probes_before = world.request_counts().get("GetChannelsRequest", 0)
        daemon = asyncio.create_task(run_daemon(ctx))
        try:
            posts = {ch: world.post(ch, text="breaking") for ch in ids}
            await wait_until(lambda: _all_stored(ctx, posts), what="every new post stored")
            probes = world.request_counts().get("GetChannelsRequest", 0) - probes_before
        finally:
            ctx.stopping.set()
            await asyncio.wait_for(daemon, 30)
    assert probes < CHANNELS, f"stored only after {probes} probes of {CHANNELS} channels"


async def test_the_daemon_after_a_first_sync_reads_no_history_page(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": QUIET,
            "live": POLL_EVERY_SECOND,
        }
    )
    async with sim_worker(config) as ctx:
        ids = await _synced_channels(world, ctx)
        pages_before = world.request_counts().get("GetHistoryRequest", 0)
        posted_meanwhile = {ch: world.post(ch, text="posted between sync and run") for ch in ids}
        daemon = asyncio.create_task(run_daemon(ctx))
        try:
            await wait_until(lambda: _all_stored(ctx, posted_meanwhile), what="the posts stored")
            posts = {ch: world.post(ch, text="breaking") for ch in ids}
            await wait_until(lambda: _all_stored(ctx, posts), what="the new posts stored")
            pages = world.request_counts().get("GetHistoryRequest", 0) - pages_before
        finally:
            ctx.stopping.set()
            await asyncio.wait_for(daemon, 30)
    assert pages == 0, f"{pages} history pages read to catch up {CHANNELS} synced channels"


async def test_a_channel_restored_after_erasure_is_caught_up_at_once(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": {**QUIET, "erasure_check_interval": 1, "erasure_confirmations": 1},
            "live": {**POLL_EVERY_SECOND, "min_poll_interval": 3600, "max_poll_interval": 3600},
        }
    )
    ch = world.add_channel("comeback", "Comeback")
    world.post(ch, text="old news", push=False)

    async def status() -> str | None:
        async with ctx.read() as conn:
            channel = await get_channel(conn, ch)
        return channel.status if channel else None

    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@comeback")
        await sync_channels(ctx)
        polls_before = world.request_counts().get("GetChannelDifferenceRequest", 0)
        daemon = asyncio.create_task(run_daemon(ctx))
        try:
            await wait_until(
                lambda: world.request_counts().get("GetChannelDifferenceRequest", 0) > polls_before,
                what="the first poll (the next one is an hour away)",
            )
            world.make_private(ch)
            await wait_until(lambda: _is(status, "erased"), what="the channel erased")
            world.restore(ch)
            posts = {ch: world.post(ch, text="back again")}
            await wait_until(lambda: _all_stored(ctx, posts), what="the new post stored")
        finally:
            ctx.stopping.set()
            await asyncio.wait_for(daemon, 30)


async def _is(status, wanted: str) -> bool:
    return await status() == wanted
