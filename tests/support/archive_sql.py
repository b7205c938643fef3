"""Plain SQL on the archive database of a URL, SQLite or PostgreSQL, from sync or async tests.

Tests look at what the archiver stored (or damage it) through the same URL the archiver uses,
so the same assertion runs on both backends. Statements take ``:name`` parameters on both.
A PostgreSQL statement runs on its own event loop in a thread, so a test already inside a
loop (an async test) can call it too; each call opens and closes one connection, so a
``tgmirror`` subprocess never waits on a connection the test left open.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from archiver.db.engine import sqlite_path


async def _on_server(url: str, sql: str, params: dict[str, Any]) -> list[tuple]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def rows(url: str, sql: str, **params: Any) -> list[tuple]:
    """Every row of ``sql`` (empty for a statement that returns none), committed."""
    path = sqlite_path(url)
    if path is not None:
        with closing(sqlite3.connect(path, timeout=30)) as db:
            found = db.execute(sql, params).fetchall()
            db.commit()
            return found
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, _on_server(url, sql, params)).result()


def one(url: str, sql: str, **params: Any) -> tuple | None:
    """The first row of ``sql``, or None."""
    found = rows(url, sql, **params)
    return found[0] if found else None


def value(url: str, sql: str, **params: Any) -> Any:
    """The first column of the first row of ``sql``."""
    return rows(url, sql, **params)[0][0]


def column(url: str, sql: str, **params: Any) -> list[Any]:
    """The first column of every row of ``sql``."""
    return [row[0] for row in rows(url, sql, **params)]
