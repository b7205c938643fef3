"""``tgmirror sync`` next to ``tgmirror run`` workers: it archives only the channels whose lease
it takes, skips the one another worker holds without writing it, and leaves no lease behind."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.cli.archive import print_sync_report
from archiver.db.schema import channel_leases, events, messages, sync_state
from archiver.store.leases import take_leases
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels


async def _rows(ctx, table, channel_id: int) -> list[tuple]:
    async with ctx.read() as conn:
        query = sa.select(table).where(table.c.channel_id == channel_id)
        return [tuple(row) for row in await conn.execute(query)]


async def test_sync_skips_a_channel_another_worker_holds_and_releases_its_own(
    world, sim_worker, capsys
) -> None:
    ids = [world.add_channel(f"ch_{n}", f"Channel {n}") for n in range(3)]
    for cid in ids:
        for i in range(40):
            world.post(cid, text=f"post {i}", push=False)
    held = ids[1]
    async with sim_worker() as ctx:
        for n in range(3):
            assert (await add_channel(ctx, f"@ch_{n}")).error is None
        async with ctx.write() as conn:
            assert [t.channel_id for t in await take_leases(conn, "w2", [held], 1, 3600)] == [held]
        state_before = await _rows(ctx, sync_state, held)
        events_before = await _rows(ctx, events, held)
        report = await sync_channels(ctx)
        stored = {cid: len(await _rows(ctx, messages, cid)) for cid in ids}
        state_after = await _rows(ctx, sync_state, held)
        events_after = await _rows(ctx, events, held)
        async with ctx.read() as conn:
            leases = (await conn.execute(sa.select(channel_leases))).all()
    outcomes = {o.channel_id: (o.outcome, o.inserted) for o in report.outcomes}
    assert outcomes == {ids[0]: ("done", 40), held: ("skipped", 0), ids[2]: ("done", 40)}
    assert report.ok
    assert stored == {ids[0]: 40, held: 0, ids[2]: 40}
    assert (state_after, events_after) == (state_before, events_before)
    assert [(lease.channel_id, lease.worker_id) for lease in leases] == [(held, "w2")]
    print_sync_report(report)
    lines = capsys.readouterr().out.splitlines()
    assert "Channel 1: held by worker w2; skipped — stop that worker or let it archive" in lines
