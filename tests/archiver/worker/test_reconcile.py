"""Reconciliation finds unannounced deletions and edits, at bounded cost."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.schema import message_revisions, messages, sync_state
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels


async def test_sync_finds_silent_deletions_and_edits(world, sim_worker) -> None:
    ch = world.add_channel("quiet", "Quiet")
    for i in range(300):
        world.post(ch, text=f"original {i}", push=False)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@quiet")
        await sync_channels(ctx)
        world.delete(ch, [5, 150, 299], push=False)
        world.edit(ch, 298, text="corrected text", push=False)
        report = await sync_channels(ctx)
        async with ctx.read() as conn:
            rows = {
                r.msg_id: r
                for r in await conn.execute(
                    sa.select(
                        messages.c.msg_id,
                        messages.c.text,
                        messages.c.deleted_at,
                        messages.c.deleted_how,
                    )
                )
            }
            old = (await conn.execute(sa.select(message_revisions.c.text))).scalars().all()
    # 299 and 298 are recent; 150 and 5 fall in the first sweep of older posts.
    assert {i for i, r in rows.items() if r.deleted_at} == {5, 150, 299}
    assert rows[299].text == "original 298" and rows[299].deleted_how == "reconcile"
    assert rows[298].text == "corrected text" and old == ["original 297"]
    assert (report.outcomes[0].deleted, report.outcomes[0].edited) == (3, 1)


async def test_sweep_of_old_posts_resumes_and_wraps(world, sim_worker) -> None:
    from archiver.worker.reconcile import reconcile_channel

    ch = world.add_channel("large", "Large")
    for i in range(120):
        world.post(ch, text=f"p{i}", push=False)
    async with sim_worker() as ctx:
        channel = (await add_channel(ctx, "@large")).channel
        await sync_channels(ctx)
        world.delete(ch, [3], push=False)
        first = await reconcile_channel(ctx, ctx.accounts.primary, channel, recent=10, sweep=50)
        second = await reconcile_channel(ctx, ctx.accounts.primary, channel, recent=10, sweep=50)
        third = await reconcile_channel(ctx, ctx.accounts.primary, channel, recent=10, sweep=50)
        async with ctx.read() as conn:
            cursor = (await conn.execute(sa.select(sync_state.c.reconcile_cursor))).scalar()
    assert (first.checked, second.checked) == (60, 60)
    assert (first.deleted, second.deleted) == (0, 0)
    assert third.deleted == 1  # the third pass reached id 3
    assert cursor is None  # and the sweep wraps to the newest again
