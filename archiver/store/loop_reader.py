"""Short reads on the event loop's own thread: SQLite through the standard ``sqlite3`` module.

aiosqlite hands every cursor call (open, execute, fetch, close) to a thread of its own and
back; for a channel page's few indexed, LIMITed queries those hops cost more than the queries.
So pages whose queries are bounded by an index and a small LIMIT read through a synchronous,
read-only connection on the loop's thread, wrapped to look like the ``AsyncConnection`` the
store takes. Queries that may scan many rows (the index's counts, search across channels) stay
on aiosqlite, which keeps the loop free while they run. PostgreSQL has no such hop (asyncpg
is asynchronous), so there every read uses the async engine.

It lives in the store, with the queries it runs (``QuickSelect``), though only the mirror uses
it: the archiver writes through the async engine.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

from archiver.db.engine import BUSY_TIMEOUT_MS, sqlite_path


def open_sqlite_reader(url: str) -> sa.Engine | None:
    """A synchronous, read-only engine on the SQLite file behind ``url``; None for other
    databases. A SELECT outside a transaction sees every commit made before it started."""
    path = sqlite_path(url)
    if path is None:
        return None
    engine = sa.create_engine(f"sqlite:///{path}")
    sa.event.listen(engine, "connect", _on_connect)
    return engine


def _on_connect(dbapi_conn: Any, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


class LoopConnection:
    """A synchronous connection with the awaitable ``execute`` the store calls.

    ``execute`` runs the statement at once on the caller's thread and returns its result; it
    never suspends, so use it only for queries that take a fraction of a millisecond.
    """

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> sa.Result[Any]:
        return self._conn.execute(statement, parameters)

    @property
    def sqlite3_connection(self) -> sqlite3.Connection:
        """The driver's connection, for the store's ``QuickSelect`` statements."""
        driver = self._conn.connection.driver_connection
        if not isinstance(driver, sqlite3.Connection):  # open_sqlite_reader's engine is pysqlite
            raise TypeError(f"not a sqlite3 connection: {driver!r}")
        return driver
