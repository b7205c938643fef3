"""The daemon through the simulator: live posts, edits, deletions, catch-up after downtime."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from waiting import wait_until

from archiver.db.schema import message_revisions, messages
from archiver.worker.channels import add_channel
from archiver.worker.daemon import run_daemon
from archiver.worker.sync import sync_channels

FAST = {"archive": {"poll_interval": 30, "reconcile_interval": 30, "erasure_check_interval": 30}}


async def _rows(ctx, channel_id):
    async with ctx.read() as conn:
        result = await conn.execute(
            sa.select(
                messages.c.msg_id,
                messages.c.text,
                messages.c.deleted_at,
                messages.c.deleted_how,
                messages.c.id,
            ).where(messages.c.channel_id == channel_id)
        )
        return {r.msg_id: r for r in result}


async def _until(predicate, seconds: float = 10.0) -> None:
    await wait_until(predicate, seconds, every=0.05)


async def test_live_posts_edits_and_deletions_arrive_as_updates_not_by_polling(
    world, make_config, sim_worker
) -> None:
    # FAST polls every 30 s and the first poll is done before the first post is seen, so
    # anything stored within _until's 10 s came through a live update.
    config = make_config(
        {**FAST, "live": {"follow": "join"}, "simulator": {"world": str(world.path)}}
    )
    ch = world.add_channel("live_news", "Live")
    world.post(ch, text="before", push=False)
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@live_news")
        task = asyncio.create_task(run_daemon(ctx))
        await _until(lambda: _has(ctx, ch, 1))
        new_id = world.post(ch, text="breaking")
        await _until(lambda: _has(ctx, ch, new_id))
        for n in (1, 2, 3):  # edits some time apart, as people make them
            world.edit(ch, new_id, text=f"breaking, update {n}")
            await _until(lambda n=n: _text_is(ctx, ch, new_id, f"breaking, update {n}"))
        world.delete(ch, [new_id])
        await _until(lambda: _deleted(ctx, ch, new_id))
        ctx.stopping.set()
        await asyncio.wait_for(task, 10)
        rows = await _rows(ctx, ch)
        async with ctx.read() as conn:
            versions = (
                (
                    await conn.execute(
                        sa.select(message_revisions.c.text)
                        .where(message_revisions.c.message_id == rows[new_id].id)
                        .order_by(message_revisions.c.id)
                    )
                )
                .scalars()
                .all()
            )
    assert world.joined_channels() == [ch]  # Telegram pushes only to members
    assert versions == ["breaking", "breaking, update 1", "breaking, update 2"]
    assert rows[new_id].text == "breaking, update 3"
    assert rows[new_id].deleted_how == "update"


async def _has(ctx, ch, msg_id) -> bool:
    return msg_id in await _rows(ctx, ch)


async def _text_is(ctx, ch, msg_id, text) -> bool:
    row = (await _rows(ctx, ch)).get(msg_id)
    return row is not None and row.text == text


async def _deleted(ctx, ch, msg_id) -> bool:
    row = (await _rows(ctx, ch)).get(msg_id)
    return row is not None and row.deleted_at is not None


async def test_restart_catches_up_everything_missed(world, make_config, sim_worker) -> None:
    config = make_config({**FAST, "simulator": {"world": str(world.path)}})
    ch = world.add_channel("downtime", "Downtime")
    for i in range(100):
        world.post(ch, text=f"old {i}", push=False)
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@downtime")
        await sync_channels(ctx)
    # the archiver is down: Telegram goes on
    new = [world.post(ch, text=f"while down {i}") for i in range(50)]
    edited = [3, 40, 90, new[0], new[10]]
    for msg_id in edited:
        world.edit(ch, msg_id, text=f"edited {msg_id}")
    world.delete(ch, [10, 95, new[20]])
    async with sim_worker(config) as ctx:
        task = asyncio.create_task(run_daemon(ctx))
        await _until(lambda: _deleted(ctx, ch, 10), seconds=15)
        ctx.stopping.set()
        await asyncio.wait_for(task, 10)
        rows = await _rows(ctx, ch)
    # new[20] was posted and deleted while we were down: never seen, cannot be archived
    assert sorted(rows) == [m for m in range(1, 151) if m != new[20]]
    assert all(rows[m].text == f"edited {m}" for m in edited)
    assert {m for m, r in rows.items() if r.deleted_at} == {10, 95}


async def test_username_moved_to_another_channel_does_not_mix_posts(world, sim_worker) -> None:
    first = world.add_channel("shared_name", "First owner")
    for i in range(5):
        world.post(first, text=f"first {i}", push=False)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@shared_name")
        await sync_channels(ctx)
        world.set_username(first, "first_renamed", push=False)
        second = world.add_channel("spare_name", "Second owner")
        world.set_username(second, "shared_name", push=False)
        for i in range(7):
            world.post(second, text=f"second {i}", push=False)
        await add_channel(ctx, "@shared_name")
        await sync_channels(ctx)
        a, b = await _rows(ctx, first), await _rows(ctx, second)
    assert sorted(r.text for r in a.values()) == [f"first {i}" for i in range(5)]
    assert sorted(r.text for r in b.values()) == [f"second {i}" for i in range(7)]
