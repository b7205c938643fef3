"""What differs between SQLite and PostgreSQL, chosen once from the connection's dialect.

Store functions ask ``dialect_of(conn)`` for the one piece that differs (the search index,
the upsert construct, JSON building, the database's self-checks, the clock and row locks of
channel leases) instead of testing the
dialect name themselves, so supporting a database means filling in one ``Dialect`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.errors import DatabaseError
from archiver.store import search_fts5, search_tsvector
from archiver.store.search_query import SearchQuery
from archiver.store.search_text import IndexEntry


class SearchBackend(Protocol):
    """The full-text index of one database (``search_fts5``, ``search_tsvector``)."""

    async def add_entries(self, conn: AsyncConnection, entries: list[IndexEntry]) -> None: ...
    async def remove_entries(self, conn: AsyncConnection, entries: list[IndexEntry]) -> None: ...
    async def remove_all(self, conn: AsyncConnection) -> None: ...
    def newest_matches(
        self, select: sa.Select[Any], *, in_channels: bool, paged: bool
    ) -> sa.Select[Any]: ...
    def match_params(
        self, query: SearchQuery, channel_ids: list[int] | None, before: int | None
    ) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Dialect:
    """The dialect-specific pieces the store uses."""

    name: str
    search: SearchBackend
    insert: Callable[[sa.Table], Any]
    """An INSERT that has ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    json_object: Callable[..., sa.ColumnElement[Any]]
    """Build a JSON object (as text) from alternating key and value expressions."""
    json_value: Callable[[sa.ColumnElement[Any]], sa.ColumnElement[Any]]
    """A JSON column as a value to embed in ``json_object`` (not as a quoted string)."""
    self_checks: bool
    """The database has PRAGMA integrity_check and foreign_key_check (PostgreSQL enforces
    foreign keys always and has no cheap whole-database check)."""
    clock: sa.ColumnElement[int]
    """The database server's time in whole Unix seconds: one clock for every worker."""
    skip_locked: Callable[[sa.Select[Any]], sa.Select[Any]]
    """Lock the rows a SELECT picks, passing over rows other transactions hold. PostgreSQL:
    ``FOR UPDATE SKIP LOCKED``. SQLite has one writer: the statement's own write transaction
    already excludes every other worker, so the SELECT is left as it is."""


SQLITE = Dialect(
    name="sqlite",
    search=search_fts5,
    insert=sqlite.insert,
    json_object=sa.func.json_object,
    json_value=sa.func.json,
    self_checks=True,
    clock=sa.cast(sa.func.strftime("%s", "now"), sa.BigInteger),
    skip_locked=lambda select: select,
)

POSTGRESQL = Dialect(
    name="postgresql",
    search=search_tsvector,
    insert=postgresql.insert,
    json_object=sa.func.json_build_object,
    json_value=lambda column: column,
    self_checks=False,
    # clock_timestamp(), not now(): now() is frozen at the start of the transaction.
    clock=sa.cast(sa.func.floor(sa.extract("epoch", sa.func.clock_timestamp())), sa.BigInteger),
    skip_locked=lambda select: select.with_for_update(skip_locked=True),
)

_BY_NAME = {d.name: d for d in (SQLITE, POSTGRESQL)}


def dialect_of(conn: AsyncConnection) -> Dialect:
    """The ``Dialect`` of the database behind ``conn``."""
    try:
        return _BY_NAME[conn.dialect.name]
    except KeyError:
        raise DatabaseError(
            f"{conn.dialect.name} databases are not supported; use SQLite or PostgreSQL"
        ) from None
