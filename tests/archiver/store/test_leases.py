"""Channel leases: taken when free or expired, renewed, confirmed, released; workers racing
for the same channels each win different ones."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import channel_leases
from archiver.rows import ChannelRow
from archiver.store.channels import upsert_channel
from archiver.store.leases import (
    confirm_lease,
    database_time,
    list_leases,
    release_leases,
    renew_leases,
    take_leases,
)

CHANNELS = list(range(1001, 1031))


async def _setup(engine, ids=CHANNELS) -> None:
    async with engine.begin() as conn:
        for cid in ids:
            await upsert_channel(conn, ChannelRow(id=cid, access_hash=cid, title=f"c{cid}"), 1)


async def _take(engine, worker: str, limit: int, ids=CHANNELS, **kw) -> dict[int, int]:
    async with engine.begin() as conn:
        taken = await take_leases(conn, worker, ids, limit, 60, **kw)
    return {t.channel_id: t.taken_at for t in taken}


async def _expire(engine, ids=CHANNELS) -> None:
    """Age leases past their expiry, as if their worker had stopped renewing them."""
    async with engine.begin() as conn:
        await conn.execute(
            channel_leases.update().where(channel_leases.c.channel_id.in_(ids)).values(expires_at=0)
        )


async def test_free_channels_are_taken_up_to_the_limit_then_none_are_left(engine) -> None:
    await _setup(engine)
    first = await _take(engine, "w1", 12)
    second = await _take(engine, "w2", 100)
    third = await _take(engine, "w3", 100)
    assert list(first) == CHANNELS[:12]
    assert list(second) == CHANNELS[12:]
    assert third == {}
    async with engine.connect() as conn:
        leases = await list_leases(conn)
        now = await database_time(conn)
    assert {cid: lease.worker_id for cid, lease in leases.items()} == {
        **dict.fromkeys(CHANNELS[:12], "w1"),
        **dict.fromkeys(CHANNELS[12:], "w2"),
    }
    assert all(now <= lease.expires_at <= now + 60 for lease in leases.values())


async def test_an_expired_lease_is_taken_over_and_its_old_holder_can_no_longer_write(
    engine,
) -> None:
    await _setup(engine, CHANNELS[:3])
    held = await _take(engine, "w1", 3, CHANNELS[:3])
    assert await _take(engine, "w2", 3, CHANNELS[:3]) == {}  # live leases are not taken
    await _expire(engine, CHANNELS[:1])
    async with engine.begin() as conn:
        taken = await take_leases(conn, "w2", CHANNELS[:3], 3, 60)
    assert [(t.channel_id, t.previous) for t in taken] == [(CHANNELS[0], "w1")]
    async with engine.begin() as conn:
        renewed = await renew_leases(conn, "w1", held, 60)
        confirmed = [await confirm_lease(conn, cid, "w1", held[cid]) for cid in CHANNELS[:3]]
    assert renewed == set(CHANNELS[1:3])
    assert confirmed == [False, True, True]


async def test_an_expired_lease_no_one_took_is_renewed_but_not_confirmed_before(engine) -> None:
    await _setup(engine, CHANNELS[:1])
    held = await _take(engine, "w1", 1, CHANNELS[:1])
    await _expire(engine, CHANNELS[:1])
    async with engine.begin() as conn:
        before = await confirm_lease(conn, CHANNELS[0], "w1", held[CHANNELS[0]])
        renewed = await renew_leases(conn, "w1", held, 60)
        after = await confirm_lease(conn, CHANNELS[0], "w1", held[CHANNELS[0]])
    assert (before, renewed, after) == (False, {CHANNELS[0]}, True)


async def test_a_lease_taken_again_under_the_same_worker_id_is_a_new_lease(engine) -> None:
    await _setup(engine, CHANNELS[:1])
    old = await _take(engine, "w1", 1, CHANNELS[:1])
    await _expire(engine, CHANNELS[:1])
    async with engine.begin() as conn:  # in the same second, the database clock has not moved
        await conn.execute(channel_leases.update().values(taken_at=channel_leases.c.taken_at - 5))
    new = await _take(engine, "w1", 1, CHANNELS[:1])
    async with engine.begin() as conn:
        stale = await confirm_lease(conn, CHANNELS[0], "w1", old[CHANNELS[0]] - 5)
        current = await confirm_lease(conn, CHANNELS[0], "w1", new[CHANNELS[0]])
    assert (stale, current) == (False, True)


async def test_leases_of_dead_workers_are_taken_before_they_expire(engine) -> None:
    await _setup(engine, CHANNELS[:4])
    await _take(engine, "host-111", 2, CHANNELS[:4])
    await _take(engine, "host-222", 2, CHANNELS[:4])
    taken = await _take(engine, "host-333", 4, CHANNELS[:4], dead_workers={"host-111"})
    assert list(taken) == CHANNELS[:2]


async def test_release_deletes_only_the_workers_own_leases(engine) -> None:
    await _setup(engine, CHANNELS[:4])
    mine = await _take(engine, "w1", 2, CHANNELS[:4])
    await _take(engine, "w2", 2, CHANNELS[:4])
    async with engine.begin() as conn:
        released = await release_leases(conn, "w1", {**mine, CHANNELS[2]: 0})
        left = await list_leases(conn)
    assert released == 2
    assert {cid: lease.worker_id for cid, lease in left.items()} == dict.fromkeys(
        CHANNELS[2:4], "w2"
    )


async def test_workers_racing_for_the_same_channels_each_win_different_ones(config) -> None:
    workers = [f"w{n}" for n in range(4)]
    engines = [open_engine(config.database_url) for _ in workers]
    try:
        await _setup(engines[0])
        for round_ in range(6):
            if round_ % 2:
                await _expire(engines[0])  # every lease is up for grabs again
            results = await asyncio.gather(
                *(_take(e, w, 12) for e, w in zip(engines, workers, strict=True))
            )
            won = [set(r) for r in results]
            assert sum(map(len, won)) == len(CHANNELS), (round_, won)
            assert set().union(*won) == set(CHANNELS)
            async with engines[0].connect() as conn:
                rows = (await conn.execute(sa.select(channel_leases))).all()
            owners = {r.channel_id: r.worker_id for r in rows}
            for worker, channels in zip(workers, won, strict=True):
                assert all(owners[cid] == worker for cid in channels)
            if round_ % 2 == 0:
                continue
            async with engines[0].begin() as conn:  # everyone leaves: all channels free
                await conn.execute(channel_leases.delete())
    finally:
        for engine in engines:
            await engine.dispose()
