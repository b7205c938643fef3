"""Requests a sync spends: a restart resolves no username, and a flood wait in the middle of a
history walk costs one resend of that page, never the pages before it."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.schema import channels, messages, sync_state
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels

from .test_accounts import _worker


def _sent(ctx, method: str) -> int:
    """Requests of ``method`` every account of the worker sent (the pacers count them)."""
    return sum(a.client.pacer.stats.sent[method] for a in ctx.accounts.accounts)


async def _stored(ctx, channel_id: int) -> list[int]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(messages.c.msg_id).where(messages.c.channel_id == channel_id)
        )
        return sorted(r.msg_id for r in rows)


class _FloodAfterPages:
    """A reporter that makes Telegram answer FLOOD_WAIT to a page once ``pages`` pages are
    stored: to page ``pages + 2``, as the next page is fetched while one is stored."""

    def __init__(self, world, pages: int, error: str) -> None:
        self.world, self.pages, self.error, self.seen = world, pages, error, 0

    def channel_started(self, channel_id, title, total) -> None:
        pass

    def advanced(self, channel_id, messages=0, media_bytes=0) -> None:
        self.seen += 1
        if self.seen == self.pages:
            self.world.fail_next("GetHistoryRequest", self.error)

    def channel_finished(self, channel_id, outcome) -> None:
        pass


async def test_a_restart_resolves_no_username(world, make_config) -> None:
    ids = [world.add_channel(f"chan_{n}", f"Channel {n}") for n in range(3)]
    for ch in ids:
        world.post(ch, text="hello", push=False)
    async with _worker(world, make_config, 1) as ctx:
        for n in range(3):
            assert (await add_channel(ctx, f"@chan_{n}")).error is None
        assert (await sync_channels(ctx)).ok
        added = _sent(ctx, "ResolveUsernameRequest")
    for ch in ids:
        world.post(ch, text="after the restart", push=False)
    async with _worker(world, make_config, 1) as ctx:
        report = await sync_channels(ctx)
        resolved = _sent(ctx, "ResolveUsernameRequest")
        assert [await _stored(ctx, ch) for ch in ids] == [[1, 2]] * 3
    assert report.ok
    assert added == 3
    assert resolved == 0


async def test_a_restart_with_two_accounts_resolves_no_username(world, make_config) -> None:
    ids = [world.add_channel(f"chan_{n}", f"Channel {n}") for n in range(4)]
    async with _worker(world, make_config, 2) as ctx:
        for n in range(4):
            await add_channel(ctx, f"@chan_{n}")
        assert (await sync_channels(ctx)).ok
    async with _worker(world, make_config, 2) as ctx:
        report = await sync_channels(ctx)
        resolved = _sent(ctx, "ResolveUsernameRequest")
    assert report.ok and len(report.outcomes) == len(ids)
    assert resolved == 0


async def test_a_short_flood_wait_mid_walk_resends_only_that_page(world, make_config) -> None:
    ch = world.add_channel("long", "Long history")
    for i in range(450):
        world.post(ch, text=f"post {i}", push=False)
    async with _worker(world, make_config, 1) as ctx:
        await add_channel(ctx, "@long")
        ctx.reporter = _FloodAfterPages(world, 2, "FLOOD_WAIT_1")
        report = await sync_channels(ctx)
        pages = _sent(ctx, "GetHistoryRequest")
        stored = await _stored(ctx, ch)
        waits = ctx.accounts.primary.client.pacer.stats.flood_waits["GetHistoryRequest"]
    assert report.ok
    assert stored == list(range(1, 451))
    assert waits == 1
    assert pages == 5 + 1  # five pages of 100 (the last one short), one of them sent twice


async def test_a_long_flood_wait_mid_walk_resumes_at_the_page_it_stopped(
    world, make_config
) -> None:
    ch = world.add_channel("long", "Long history")
    for i in range(450):
        world.post(ch, text=f"post {i}", push=False)
    async with _worker(world, make_config, 1) as ctx:
        await add_channel(ctx, "@long")
        ctx.max_flood_wait = 0  # pause the channel instead of sleeping through the wait
        ctx.reporter = _FloodAfterPages(world, 2, "FLOOD_WAIT_600")
        first = await sync_channels(ctx)
        before = _sent(ctx, "GetHistoryRequest")
        async with ctx.write() as conn:  # the wait is over
            await conn.execute(sa.update(sync_state).values(paused_until=None))
    async with _worker(world, make_config, 1) as ctx:
        second = await sync_channels(ctx)
        after = _sent(ctx, "GetHistoryRequest")
        stored = await _stored(ctx, ch)
    assert first.outcomes[0].outcome == "paused"
    assert before == 3 + 1  # three pages stored, the fourth answered FLOOD_WAIT_600
    assert second.ok
    assert after == 2  # pages four and five: nothing before them fetched again
    assert stored == list(range(1, 451))


async def test_a_refused_access_hash_costs_one_resolve_then_none(world, make_config) -> None:
    ch = world.add_channel("news", "News")
    world.post(ch, text="first", push=False)
    async with _worker(world, make_config, 1) as ctx:
        await add_channel(ctx, "@news")
        async with ctx.write() as conn:  # a hash Telegram no longer takes for this account
            await conn.execute(sa.update(channels).values(access_hash=12345))
    world.post(ch, text="second", push=False)
    async with _worker(world, make_config, 1) as ctx:
        first = await sync_channels(ctx)
        resolved_first = _sent(ctx, "ResolveUsernameRequest")
    async with _worker(world, make_config, 1) as ctx:
        second = await sync_channels(ctx)
        resolved_second = _sent(ctx, "ResolveUsernameRequest")
        stored = await _stored(ctx, ch)
    assert first.ok and second.ok
    assert (resolved_first, resolved_second) == (1, 0)
    assert stored == [1, 2]


async def test_a_sync_under_small_buckets_meets_few_waits_and_counts_them(
    world, make_config
) -> None:
    ids = [world.add_channel(f"chan_{n}", f"Channel {n}") for n in range(4)]
    for ch in ids:
        for i in range(600):
            world.post(ch, text=f"post {i}", push=False)
    async with _worker(world, make_config, 1, {"concurrency": 4}) as ctx:
        for n in range(4):
            await add_channel(ctx, f"@chan_{n}")
        world.set_limits({"GetHistoryRequest": (4, 1.0)}, penalty=1.0)
        report = await sync_channels(ctx)
        pacer = ctx.accounts.primary.client.pacer
        stored = [len(await _stored(ctx, ch)) for ch in ids]
    counts = world.request_counts()
    assert report.ok
    assert stored == [600] * 4
    # 24 pages at 4 a second: without pacing, every page past the burst would meet a wait.
    assert world.flood_wait_seconds() == pacer.stats.flood_seconds
    assert pacer.stats.flood_waits["GetHistoryRequest"] <= 5
    assert counts["GetHistoryRequest"] == 24 + pacer.stats.flood_waits["GetHistoryRequest"]
    assert pacer.rate("GetHistoryRequest") is not None
    assert pacer.rate("GetHistoryRequest") <= 4.0 * 1.1


async def test_after_a_long_wait_the_server_sees_no_page_twice(world, make_config) -> None:
    ch = world.add_channel("long", "Long history")
    for i in range(450):
        world.post(ch, text=f"post {i}", push=False)
    async with _worker(world, make_config, 1) as ctx:
        await add_channel(ctx, "@long")
        ctx.max_flood_wait = 0
        ctx.reporter = _FloodAfterPages(world, 2, "FLOOD_WAIT_600")
        await sync_channels(ctx)
        async with ctx.write() as conn:
            await conn.execute(sa.update(sync_state).values(paused_until=None))
    async with _worker(world, make_config, 1) as ctx:
        assert (await sync_channels(ctx)).ok
    assert world.request_counts()["GetHistoryRequest"] == 5 + 1  # five pages, one refused
