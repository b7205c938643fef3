"""Channel leases: which worker archives which channel (``tgmirror run --worker-id``).

A channel's lease is free when it has no row or its row has expired. Every statement here
re-checks its own condition, atomically: PostgreSQL locks the rows it picks and skips those
another worker holds (``SELECT … FOR UPDATE SKIP LOCKED``), SQLite runs one writer at a time.
So two workers racing for a channel can never both win it. Times are the database's clock
(``Dialect.clock``), so the workers' clocks never have to agree. ``taken_at`` is the lease's
generation: a worker checks it with its id, so a lease lost and taken again (even under the
same worker id) is never mistaken for the one it held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channel_leases
from archiver.store.dialect import dialect_of

_c = channel_leases.c


@dataclass(frozen=True, slots=True)
class Lease:
    """One row of ``channel_leases``."""

    channel_id: int
    worker_id: str
    expires_at: int
    renewed_at: int
    taken_at: int


@dataclass(frozen=True, slots=True)
class Taken:
    """A lease just taken: ``previous`` is the worker whose expired lease it replaced."""

    channel_id: int
    taken_at: int
    previous: str | None


async def database_time(conn: AsyncConnection) -> int:
    """The database server's time, in whole Unix seconds."""
    return int((await conn.execute(sa.select(dialect_of(conn).clock))).scalar_one())


async def take_leases(
    conn: AsyncConnection,
    worker_id: str,
    channel_ids: Sequence[int],
    limit: int,
    duration: int,
    *,
    dead_workers: Iterable[str] = (),
) -> list[Taken]:
    """Take up to ``limit`` of ``channel_ids`` whose lease is free, expired or held by one of
    ``dead_workers``, for ``duration`` seconds; returns what was taken, in the order given.

    Channels without a lease row are taken first (new channels), then expired leases, the
    longest expired first.
    """
    wanted = list(dict.fromkeys(channel_ids))
    if limit <= 0 or not wanted:
        return []
    dialect = dialect_of(conn)
    now = await database_time(conn)
    values = {
        "worker_id": worker_id,
        "expires_at": now + duration,
        "renewed_at": now,
        "taken_at": now,
    }
    present = set(
        (await conn.execute(sa.select(_c.channel_id).where(_c.channel_id.in_(wanted)))).scalars()
    )
    absent = [cid for cid in wanted if cid not in present]
    taken: list[Taken] = []
    while absent and len(taken) < limit:  # a row another worker inserted first is skipped
        batch, absent = absent[: limit - len(taken)], absent[limit - len(taken) :]
        insert = (
            dialect.insert(channel_leases)
            .values([{"channel_id": cid, **values} for cid in batch])
            .on_conflict_do_nothing(index_elements=["channel_id"])
            .returning(_c.channel_id)
        )
        won = set((await conn.execute(insert)).scalars())
        taken += [Taken(cid, now, None) for cid in batch if cid in won]
    dead = [w for w in dead_workers if w != worker_id]
    expired = _c.expires_at <= now
    free = sa.or_(expired, _c.worker_id.in_(dead)) if dead else expired
    while present and len(taken) < limit:  # a lease another worker took meanwhile is skipped
        pick = dialect.skip_locked(
            sa.select(_c.channel_id, _c.worker_id)
            .where(_c.channel_id.in_(present), free)
            .order_by(_c.expires_at, _c.channel_id)
            .limit(limit - len(taken))
        )
        previous = {row.channel_id: row.worker_id for row in await conn.execute(pick)}
        if not previous:
            break
        update = (
            channel_leases.update()
            .where(_c.channel_id.in_(list(previous)), free)
            .values(**values)
            .returning(_c.channel_id)
        )
        won = set((await conn.execute(update)).scalars())
        taken += [Taken(cid, now, previous[cid]) for cid in previous if cid in won]
        present -= set(previous)
    order = {cid: n for n, cid in enumerate(wanted)}
    return sorted(taken, key=lambda t: order[t.channel_id])


async def renew_leases(
    conn: AsyncConnection, worker_id: str, held: Mapping[int, int], duration: int
) -> set[int]:
    """Extend the leases in ``held`` (channel id → ``taken_at``) by ``duration`` seconds from
    now; returns the channels renewed. One missing was taken over: stop archiving it.

    A lease that expired but that no one took is renewed: no other worker wrote the channel.
    """
    if not held:
        return set()
    now = await database_time(conn)
    update = (
        channel_leases.update()
        .where(_c.worker_id == worker_id, sa.tuple_(_c.channel_id, _c.taken_at).in_(held.items()))
        .values(expires_at=now + duration, renewed_at=now)
        .returning(_c.channel_id)
    )
    return set((await conn.execute(update)).scalars())


async def confirm_lease(
    conn: AsyncConnection, channel_id: int, worker_id: str, taken_at: int
) -> bool:
    """Whether this worker still holds the unexpired lease of ``channel_id``; run first in a
    write transaction, it also locks the lease until commit, so that no other worker can take
    it over while the batch is written."""
    touch = (
        channel_leases.update()
        .where(
            _c.channel_id == channel_id,
            _c.worker_id == worker_id,
            _c.taken_at == taken_at,
            _c.expires_at > dialect_of(conn).clock,
        )
        .values(expires_at=_c.expires_at)  # a write: it takes the row (and SQLite's) lock
    )
    return (await conn.execute(touch)).rowcount == 1


async def release_leases(conn: AsyncConnection, worker_id: str, held: Mapping[int, int]) -> int:
    """Give up the leases in ``held`` (a clean exit); returns how many were still ours."""
    if not held:
        return 0
    delete = channel_leases.delete().where(
        _c.worker_id == worker_id, sa.tuple_(_c.channel_id, _c.taken_at).in_(held.items())
    )
    return (await conn.execute(delete)).rowcount


async def list_leases(conn: AsyncConnection) -> dict[int, Lease]:
    """Every lease row by channel id, expired ones included."""
    rows = await conn.execute(sa.select(channel_leases))
    return {r.channel_id: Lease(**{f: getattr(r, f) for f in Lease.__slots__}) for r in rows}
