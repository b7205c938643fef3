"""The SQL of ``tgmirror migrate-db``: keyset pages of any table, bulk inserts, sequences.

``archiver/db/copy_archive.py`` decides the order of the tables, the transactions and the
progress shown; these functions only read and write, on the connection they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channels
from archiver.store.table_checksum import key_columns


async def archive_fingerprint(conn: AsyncConnection) -> str:
    """What tells this archive from another: its first channel and when it was added.

    Stored with the progress of a copy, it lets a re-run resume its own copy and refuse to
    continue one made from a different archive."""
    first = (
        await conn.execute(
            sa.select(channels.c.id, channels.c.added_at)
            .order_by(channels.c.added_at, channels.c.id)
            .limit(1)
        )
    ).first()
    return "empty" if first is None else f"{first.id}@{first.added_at}"


async def table_names(conn: AsyncConnection) -> list[str]:
    """The names of every table in the database, tgmirror's or not."""
    return await conn.run_sync(lambda c: sa.inspect(c).get_table_names())


async def has_rows(conn: AsyncConnection, table: sa.Table) -> bool:
    found = await conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1))
    return found.first() is not None


async def count_rows(conn: AsyncConnection, table: sa.Table) -> int:
    count: int = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
    return count


async def rows_after(
    conn: AsyncConnection, table: sa.Table, last_key: list[Any] | None, limit: int
) -> Sequence[sa.Row[Any]]:
    """Up to ``limit`` rows of ``table`` whose primary key sorts after ``last_key`` (all
    rows from the first when None), in primary-key order: keyset pagination, no OFFSET."""
    keys = key_columns(table)
    query = sa.select(table).order_by(*keys).limit(limit)
    if last_key is not None:
        query = query.where(_after(keys, last_key))
    return (await conn.execute(query)).all()


def _after(keys: Sequence[sa.Column[Any]], last: list[Any]) -> sa.ColumnElement[bool]:
    if len(keys) == 1:
        after: sa.ColumnElement[bool] = keys[0] > last[0]
        return after
    values = [sa.literal(v, c.type) for c, v in zip(keys, last, strict=True)]
    return sa.tuple_(*keys) > sa.tuple_(*values)


async def insert_rows(conn: AsyncConnection, table: sa.Table, rows: Sequence[sa.Row[Any]]) -> None:
    """Insert rows read from another database's ``table``, with their primary keys."""
    if rows:
        await conn.execute(table.insert(), [row._asdict() for row in rows])


async def advance_sequences(conn: AsyncConnection, tables: Sequence[sa.Table]) -> None:
    """Move PostgreSQL's id sequences past the copied ids, or the next insert fails: rows copied
    with their ids never draw from a sequence. SQLite's rowid has none to move."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in key_columns(table):
            found = sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))
            sequence = (await conn.execute(found)).scalar()
            if sequence is None:
                continue
            top = sa.select(sa.func.coalesce(sa.func.max(column), 0)).scalar_subquery()
            await conn.execute(sa.select(sa.func.setval(sequence, top + 1, False)))
