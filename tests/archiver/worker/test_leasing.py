"""Workers sharing channels through leases: the fence stops a worker that lost a lease, two
daemons split the channels, and a dead one's channels are taken over."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from waiting import wait_until

from archiver.db.schema import channel_leases, events, messages
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.leases import list_leases
from archiver.store.messages import save_messages
from archiver.worker.accounts import AccountPool
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.daemon import run_daemon
from archiver.worker.fence import LeaseLost, writing_for
from archiver.worker.leasing import LeaseKeeper, dead_local_workers

CH = 2001
LEASES = {"lease_duration": 2, "lease_renew_interval": 1}


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def _expire(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(channel_leases.update().values(expires_at=0))


async def test_a_worker_whose_lease_was_taken_over_commits_nothing_more(config, engine) -> None:
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=CH, access_hash=1, title="Shared"), 1)
    # The Telegram client is never used by these writes.
    first = WorkerContext(config, engine, AccountPool.single("unused", None))
    second = WorkerContext(config, engine, AccountPool.single("unused", None))
    keepers = [LeaseKeeper(ctx, [CH], worker) for ctx, worker in ((first, "w1"), (second, "w2"))]
    first.fence, second.fence = keepers[0].fence, keepers[1].fence
    assert (await keepers[0].refresh()).gained == {CH}
    with writing_for(CH):
        async with first.write() as conn:
            await save_messages(conn, [MessageRow(channel_id=CH, msg_id=1, date=1)], 1)
    await _expire(engine)  # w1 paused past its lease's expiry
    assert (await keepers[1].refresh()).gained == {CH}
    with writing_for(CH), pytest.raises(LeaseLost):
        async with first.write() as conn:
            await save_messages(conn, [MessageRow(channel_id=CH, msg_id=2, date=2)], 2)
    assert (await keepers[0].refresh()).lost == {CH}
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(messages.c.msg_id))).scalars().all()
        changed = (
            (
                await conn.execute(
                    sa.select(events.c.detail).where(events.c.kind == "worker_changed")
                )
            )
            .scalars()
            .all()
        )
    assert stored == [1]
    assert changed == [{"worker": "w2", "previous": "w1"}]


def test_a_default_worker_id_of_an_exited_process_on_this_host_is_dead() -> None:
    host = socket.gethostname()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ids = {f"{host}-{child.pid}", f"{host}-{alive.pid}", f"other-{child.pid}", "w1"}
        assert dead_local_workers(ids) == {f"{host}-{child.pid}"}
    finally:
        alive.kill()
        alive.wait()


async def _stored(ctx, channel_id: int) -> list[int]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(messages.c.msg_id).where(messages.c.channel_id == channel_id)
        )
        return sorted(rows.scalars())


async def _until(predicate, seconds: float = 30.0) -> None:
    await wait_until(predicate, seconds)


async def test_two_daemons_split_the_channels_and_one_takes_over_when_the_other_dies(
    world, make_config, sim_worker, tmp_path: Path
) -> None:
    names = [f"shared_{n}" for n in range(6)]
    ids = [world.add_channel(name, name) for name in names]
    for cid in ids:
        for i in range(30):
            world.post(cid, text=f"post {i}", push=False)
    archive = {**LEASES, "poll_interval": 1, "reconcile_interval": 30}
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": archive,
            "live": {"poll_budget": 600, "min_poll_interval": 1, "max_poll_interval": 1},
        }
    )
    configs = [
        dataclasses.replace(
            config,
            archive=dataclasses.replace(config.archive, worker_id=worker, max_channels=cap),
            telegram=dataclasses.replace(config.telegram, session=Path(f"{worker}.session")),
        )
        for worker, cap in (("w1", 3), ("w2", 6))
    ]
    async with sim_worker(configs[0]) as one, sim_worker(configs[1]) as two:
        for name in names:
            await add_channel(one, f"@{name}")
        first = asyncio.create_task(run_daemon(one))
        await _until(lambda: _holders(one, ["w1"] * 3))
        second = asyncio.create_task(run_daemon(two))
        await _until(lambda: _holders(one, ["w1"] * 3 + ["w2"] * 3))
        async with one.read() as conn:
            leases = await list_leases(conn)
        mine = [cid for cid, lease in leases.items() if lease.worker_id == "w1"]
        first.cancel()  # w1 dies: no clean exit, its leases stay until they expire
        with pytest.raises(asyncio.CancelledError):
            await first

        async def taken_over() -> bool:
            async with two.read() as conn:
                leases = await list_leases(conn)
            return {lease.worker_id for lease in leases.values()} == {"w2"} and len(leases) == 6

        await _until(taken_over)
        await _until(lambda: _all_stored(two, ids))
        new = world.post(mine[0], text="after the takeover")
        await _until(lambda: _has(two, mine[0], new))
        two.stopping.set()
        await asyncio.wait_for(second, 10)
        async with two.read() as conn:
            changed = (
                await conn.execute(
                    sa.select(events.c.channel_id, events.c.detail).where(
                        events.c.kind == "worker_changed"
                    )
                )
            ).all()
        left = await _count(two.engine, channel_leases)
    assert sorted(cid for cid, _ in changed) == sorted(mine)
    assert all(detail == {"worker": "w2", "previous": "w1"} for _, detail in changed)
    assert left == 0  # released on the clean exit


async def _holders(ctx, expected: list[str]) -> bool:
    async with ctx.read() as conn:
        leases = await list_leases(conn)
    return sorted(lease.worker_id for lease in leases.values()) == expected


async def _all_stored(ctx, ids) -> bool:
    return [await _stored(ctx, cid) for cid in ids] == [list(range(1, 31))] * len(ids)


async def _has(ctx, cid, msg_id) -> bool:
    return msg_id in await _stored(ctx, cid)
