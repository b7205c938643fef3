"""Catching a channel up with getChannelDifference: posts, edits and deletions of a channel the
account never joined, a too-long gap recovered from the history, the stored pts."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.schema import message_revisions, messages
from archiver.store.sync_state import get_sync_state
from archiver.worker.catch_up import catch_up
from archiver.worker.channels import add_channel


async def _rows(ctx, channel_id):
    async with ctx.read() as conn:
        result = await conn.execute(
            sa.select(
                messages.c.msg_id, messages.c.text, messages.c.deleted_how, messages.c.id
            ).where(messages.c.channel_id == channel_id)
        )
        return {r.msg_id: r for r in result}


async def test_polled_channel_gets_new_posts_edits_and_deletions(world, sim_worker) -> None:
    ch = world.add_channel("polled", "Polled")
    for i in range(5):
        world.post(ch, text=f"old {i}", push=False)
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@polled")).channel
        # No pts yet: it takes the channel's, then backfills.
        first = await catch_up(ctx, ctx.accounts.primary, channel)
        assert first.backfilled and sorted(await _rows(ctx, ch)) == [1, 2, 3, 4, 5]
        new = world.post(ch, text="fresh")
        world.edit(ch, 2, text="old 1, corrected")
        world.delete(ch, [4])
        found = await catch_up(ctx, ctx.accounts.primary, channel)
        rows = await _rows(ctx, ch)
        async with ctx.read() as conn:
            state = await get_sync_state(conn, ch)
            revisions = (
                (
                    await conn.execute(
                        sa.select(message_revisions.c.text).where(
                            message_revisions.c.message_id == rows[2].id
                        )
                    )
                )
                .scalars()
                .all()
            )
    assert (found.new, found.edited, found.deleted, found.requests) == (1, 1, 1, 1)
    assert not found.backfilled
    assert rows[new].text == "fresh"
    assert rows[2].text == "old 1, corrected" and revisions == ["old 1"]
    assert rows[4].deleted_how == "update"
    assert state.pts == world.channel(ch)["pts"]
    assert state.synced_max_id == new and state.last_check_at is not None
    assert world.joined_channels() == []  # polling never joins


async def test_nothing_new_costs_one_request(world, sim_worker) -> None:
    ch = world.add_channel("quiet", "Quiet")
    world.post(ch, text="only post", push=False)
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@quiet")).channel
        await catch_up(ctx, ctx.accounts.primary, channel)
        found = await catch_up(ctx, ctx.accounts.primary, channel)
    assert (found.requests, found.new, found.backfilled) == (1, 0, False)


async def test_a_gap_longer_than_the_limit_is_recovered_from_history(world, sim_worker) -> None:
    ch = world.add_channel("busy", "Busy")
    world.post(ch, text="start", push=False)
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@busy")).channel
        await catch_up(ctx, ctx.accounts.primary, channel)
        posted = [world.post(ch, text=f"burst {i}") for i in range(250)]
        found = await catch_up(ctx, ctx.accounts.primary, channel)
        rows = await _rows(ctx, ch)
        async with ctx.read() as conn:
            state = await get_sync_state(conn, ch)
        after = await catch_up(ctx, ctx.accounts.primary, channel)
    assert found.too_long and found.backfilled
    assert sorted(rows) == [1, *posted]
    assert state.pts == world.channel(ch)["pts"] and state.synced_max_id == posted[-1]
    assert (after.requests, after.too_long) == (1, False)
