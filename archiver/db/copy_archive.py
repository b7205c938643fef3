"""Copy a whole archive into another database (SQLite to PostgreSQL and back), resumably.

Every table of ``schema.metadata`` is copied in foreign-key order, in keyset batches by primary
key; each batch commits together with its ``copy_progress`` marker, so a copy that is stopped
at any moment (Ctrl-C, kill -9, a lost server) resumes after its last committed batch. The
search index is not copied but rebuilt on the target from its messages: each database has its
own kind of index. Then every table is counted and checksummed on both sides.

This module orders the work and owns the transactions; its SQL is in
``archiver/store/archive_copy.py`` and ``archiver/store/table_checksum.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from archiver.db.engine import current_revision, head_revision, upgrade
from archiver.db.schema import FTS_TABLE, channel_leases, copy_progress, messages, metadata
from archiver.errors import DatabaseError
from archiver.store.archive_copy import (
    advance_sequences,
    archive_fingerprint,
    count_rows,
    has_rows,
    insert_rows,
    rows_after,
    table_names,
)
from archiver.store.copy_progress import TableProgress, read_progress, save_progress
from archiver.store.search_index import rebuild_search_index
from archiver.store.table_checksum import TableSum, key_columns, table_sum

BATCH_ROWS = 1000
INDEX_STEP = FTS_TABLE
VERIFY_STEP = "verify"


class CopyProgress(Protocol):
    """Told what the copy does, to show it (``tgmirror migrate-db`` draws a bar per step)."""

    def started(self, step: str, total: int, done: int) -> None:
        """A step (a table, the search index, verification) begins; ``done`` of ``total``
        were already done by an interrupted run."""

    def advanced(self, step: str, count: int) -> None:
        """``count`` more rows (or tables, when verifying) of ``step`` are done."""


class _Silent:
    def started(self, step: str, total: int, done: int) -> None:
        pass

    def advanced(self, step: str, count: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class TableReport:
    """One table after the copy: both sides' count and checksum, and rows copied by this run."""

    name: str
    source: TableSum
    target: TableSum
    copied_now: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What ``copy_archive`` did and found."""

    tables: list[TableReport] = field(default_factory=list)
    indexed_messages: int | None = None  # None: the index was already rebuilt by an earlier run
    resumed: bool = False  # an interrupted copy of the same archive was continued
    already_done: bool = False  # an earlier run had copied everything; this one only verified

    @property
    def copied_now(self) -> int:
        return sum(t.copied_now for t in self.tables)

    @property
    def mismatches(self) -> list[TableReport]:
        return [t for t in self.tables if not t.ok]


# Runtime state of the source, not archive: the copy's own progress, and the channel leases of
# workers that will not run against the target (copied, they would hold channels until expiry).
_STAYS_BEHIND = {copy_progress.name, channel_leases.name}


def copied_tables() -> list[sa.Table]:
    """The tables a copy carries, parents before children; runtime state stays behind."""
    return [t for t in metadata.sorted_tables if t.name not in _STAYS_BEHIND]


async def prepare_target(target: AsyncEngine) -> None:
    """Migrate an empty target with Alembic; refuse a database that is not a tgmirror schema
    at the newest migration."""
    revision = await current_revision(target)
    if revision is None:
        async with target.connect() as conn:
            names = await table_names(conn)
        if names:
            raise DatabaseError(
                f"the target database holds tables ({', '.join(sorted(names)[:3])}, …) "
                "but no tgmirror archive; copy into an empty database"
            )
        await upgrade(target)
    elif revision != head_revision():
        raise DatabaseError(
            f"the target database is at schema {revision}, not {head_revision()}; "
            "copy into an empty database"
        )


async def _resume_state(conn: AsyncConnection, fingerprint: str) -> dict[str, TableProgress]:
    """The target's progress rows if they are of this archive; refuses any other archive."""
    progress = await read_progress(conn)
    if progress:
        if {p.source for p in progress.values()} != {fingerprint}:
            raise DatabaseError(
                "the target database holds a copy of another archive; migrate-db never merges "
                "two archives: copy into an empty database"
            )
        return progress
    for table in copied_tables():
        if await has_rows(conn, table):
            raise DatabaseError(
                f"the target database already holds an archive (table {table.name} has rows); "
                "migrate-db never merges two archives: copy into an empty database"
            )
    return {}


async def _copy_table(
    source: AsyncConnection,
    target: AsyncEngine,
    table: sa.Table,
    state: TableProgress,
    progress: CopyProgress,
    batch_rows: int,
) -> int:
    """Copy the rows of ``table`` after ``state.last_key``; returns how many were copied."""
    keys = key_columns(table)
    if not keys:
        raise DatabaseError(f"table {table.name} has no primary key; migrate-db cannot copy it")
    total = await count_rows(source, table)
    progress.started(table.name, total, state.rows_copied)
    copied = 0
    while not state.done:
        rows = await rows_after(source, table, state.last_key, batch_rows)
        last = [rows[-1]._mapping[c] for c in keys] if rows else state.last_key
        state = TableProgress(
            table.name,
            state.source,
            last,
            state.rows_copied + len(rows),
            done=len(rows) < batch_rows,
        )
        try:
            async with target.begin() as conn:
                await insert_rows(conn, table, rows)
                await save_progress(conn, state, int(time.time()))
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated or isinstance(
                exc, sa.exc.OperationalError | sa.exc.InterfaceError
            ):
                raise  # the database went away: a re-run resumes after the last batch
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(
                f"{table.name}: rows up to key {last} cannot be written to the target: {reason}"
            ) from exc
        copied += len(rows)
        progress.advanced(table.name, len(rows))
    return copied


async def _rebuild_index(target: AsyncEngine, fingerprint: str, progress: CopyProgress) -> int:
    async with target.begin() as conn:
        total = await count_rows(conn, messages)
        progress.started(INDEX_STEP, total, 0)
        indexed = await rebuild_search_index(conn)
        state = TableProgress(INDEX_STEP, fingerprint, None, indexed, done=True)
        await save_progress(conn, state, int(time.time()))
    progress.advanced(INDEX_STEP, indexed)
    return indexed


async def _verify(
    source: AsyncConnection, target: AsyncEngine, copied: dict[str, int], progress: CopyProgress
) -> list[TableReport]:
    tables = copied_tables()
    progress.started(VERIFY_STEP, len(tables), 0)
    reports = []
    async with target.connect() as conn:
        for table in tables:
            here, there = await table_sum(source, table), await table_sum(conn, table)
            reports.append(TableReport(table.name, here, there, copied.get(table.name, 0)))
            progress.advanced(VERIFY_STEP, 1)
    return reports


async def copy_archive(
    source: AsyncEngine,
    target: AsyncEngine,
    progress: CopyProgress | None = None,
    *,
    batch_rows: int = BATCH_ROWS,
) -> CopyReport:
    """Copy the archive in ``source`` into ``target`` (empty, or holding an interrupted copy of
    the same archive), rebuild the search index there, and verify every table.

    The source should not be written meanwhile (stop ``tgmirror run``): rows changed during the
    copy show up as a table whose checksum differs. Media files are not touched.
    """
    progress = progress or _Silent()
    if await current_revision(source) != head_revision():
        raise DatabaseError("the source database is not up to date; run `tgmirror db upgrade`")
    await prepare_target(target)
    async with source.connect() as src:
        fingerprint = await archive_fingerprint(src)
        async with target.connect() as conn:
            state = await _resume_state(conn, fingerprint)
        finished = INDEX_STEP in state and all(p.done for p in state.values())
        copied: dict[str, int] = {}
        for table in copied_tables():
            start = state.get(table.name) or TableProgress(table.name, fingerprint, None, 0, False)
            copied[table.name] = await _copy_table(src, target, table, start, progress, batch_rows)
        async with target.begin() as conn:
            await advance_sequences(conn, copied_tables())
        indexed = None
        index_state = state.get(INDEX_STEP)
        if index_state is None or not index_state.done:
            indexed = await _rebuild_index(target, fingerprint, progress)
        tables = await _verify(src, target, copied, progress)
    return CopyReport(tables, indexed, resumed=bool(state), already_done=finished)
