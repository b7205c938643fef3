"""Whole-table reads for ``tgmirror verify``, through the raw sqlite3 driver on a SQLite file.

``verify`` reads every message, revision and capture of the archive. Through SQLAlchemy and
aiosqlite each row costs a result-row object and a hand-off between aiosqlite's thread and the
event loop, together about as much as checking the capture (cProfile: a quarter of verify);
the same query on a plain ``sqlite3`` cursor returns tuples straight from C. So on a SQLite
file a ``BulkReader`` compiles the store's SQLAlchemy Core queries (the SQL stays here, in
archiver/store/) and runs them on a read-only sqlite3 connection of its own in a worker
thread, all in one read transaction: the scan sees one snapshot of the archive even while the
daemon appends. Anything else (PostgreSQL, in-memory SQLite, a file sqlite3 cannot open
read-only) runs the same queries on the caller's connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.engine import BUSY_TIMEOUT_MS, sqlite_path


class BulkReader:
    """Runs read-only Core queries for a whole-archive scan; see the module docstring."""

    def __init__(self, conn: AsyncConnection, raw: sqlite3.Connection | None) -> None:
        self.conn = conn
        """The caller's connection (for anything not read in bulk)."""
        self._raw = raw

    @property
    def threaded(self) -> bool:
        """Whether reads run on a connection of their own in a worker thread, so a next read
        may run while the caller works on the last one (the caller's connection takes one
        statement at a time)."""
        return self._raw is not None

    async def all(self, query: sa.Select[Any]) -> Sequence[Sequence[Any]]:
        """Every row of ``query`` as a tuple-like row."""
        raw = self._raw
        if raw is None:
            result: Sequence[Sequence[Any]] = (await self.conn.execute(query)).all()
            return result
        sql = str(query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True}))
        rows: list[tuple[Any, ...]] = await asyncio.to_thread(lambda: raw.execute(sql).fetchall())
        return rows


def _open_read_only(conn: AsyncConnection) -> sqlite3.Connection | None:
    """A read-only sqlite3 connection to the file behind ``conn``, inside a read transaction,
    or None where the caller's connection must be used."""
    if conn.dialect.name != "sqlite":
        return None
    path = sqlite_path(conn.engine.url.render_as_string(hide_password=False))
    if path is None or not path.exists():
        return None
    try:
        raw = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,  # used by one worker thread at a time, never at once
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    except sqlite3.Error:
        return None
    try:
        raw.execute("BEGIN")
        raw.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # takes the snapshot
    except sqlite3.Error:
        raw.close()
        return None
    return raw


@asynccontextmanager
async def bulk_reader(conn: AsyncConnection) -> AsyncIterator[BulkReader]:
    """A ``BulkReader`` over the database behind ``conn``, closed on exit."""
    raw = await asyncio.to_thread(_open_read_only, conn)
    try:
        yield BulkReader(conn, raw)
    finally:
        if raw is not None:
            raw.close()  # ends the read transaction


RowSource = AsyncConnection | BulkReader
"""Where a store read function takes its rows from: a connection, or a bulk scan's reader."""


def utf8(source: RowSource, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bytes]:
    """A text column read as its UTF-8 bytes (``verify`` hashes and compares bytes: reading
    them as they are skips a decode and an encode of every leaf and text)."""
    conn = source.conn if isinstance(source, BulkReader) else source
    if conn.dialect.name == "postgresql":
        return sa.func.convert_to(column, "UTF8", type_=sa.LargeBinary)
    return sa.cast(column, sa.LargeBinary)  # SQLite: CAST(... AS BLOB), the stored bytes


async def fetch_all(source: RowSource, query: sa.Select[Any]) -> Sequence[Sequence[Any]]:
    """Every row of ``query`` from ``source``."""
    if isinstance(source, BulkReader):
        return await source.all(query)
    rows: Sequence[Sequence[Any]] = (await source.execute(query)).all()
    return rows


async def keyset_pages(
    source: RowSource,
    page: Callable[[Any], sa.Select[Any]],
    first: Any,
    last_key: Callable[[Sequence[Any]], Any],
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """The rows of ``page(first)``, ``page(last_key(rows))``, ... until a page is empty.

    On a threaded reader the next page is read while the caller works on this one: the
    SQLite side of a read (``sqlite3_step``) runs without the GIL, on the other core.
    """
    ahead = isinstance(source, BulkReader) and source.threaded
    pending: asyncio.Task[Sequence[Sequence[Any]]] | None = None
    try:
        rows = await fetch_all(source, page(first))
        while rows:
            if ahead:
                pending = asyncio.ensure_future(fetch_all(source, page(last_key(rows))))
            yield rows
            if pending is not None:
                rows, pending = await pending, None
            else:
                rows = await fetch_all(source, page(last_key(rows)))
    finally:
        if pending is not None:  # the caller stopped early: let the read finish first
            await asyncio.gather(pending, return_exceptions=True)
