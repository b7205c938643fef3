"""SQL for ``tgmirror check``: the database's own checks, media rows, id gaps, the search index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import FTS_TABLE, channels, media_files, message_media, messages, sync_state
from archiver.store.dialect import dialect_of
from archiver.store.search_text import search_body


@dataclass(frozen=True, slots=True)
class MediaFileRow:
    sha256: str
    path: str
    size: int


async def database_problems(conn: AsyncConnection) -> list[str]:
    """What the database's own checks report (empty when healthy): on SQLite ``PRAGMA
    integrity_check`` and ``foreign_key_check``; PostgreSQL always enforces foreign keys."""
    if not dialect_of(conn).self_checks:
        return []
    problems = [
        f"integrity_check: {row[0]}"
        for row in await conn.exec_driver_sql("PRAGMA integrity_check")
        if row[0] != "ok"
    ]
    problems += [
        f"foreign key: {table} row {rowid} points to a missing {parent}"
        for table, rowid, parent, *_ in map(
            tuple, await conn.exec_driver_sql("PRAGMA foreign_key_check")
        )
    ]
    return problems


async def iter_media_files(conn: AsyncConnection, batch: int = 1000) -> AsyncIterator[MediaFileRow]:
    """Every stored file row, in batches."""
    last = ""
    while True:
        rows = (
            await conn.execute(
                sa.select(media_files.c.sha256, media_files.c.path, media_files.c.size)
                .where(media_files.c.sha256 > last)
                .order_by(media_files.c.sha256)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield MediaFileRow(*row)
        last = rows[-1].sha256


async def forget_file(conn: AsyncConnection, sha256: str, now: int) -> int:
    """Drop a lost or corrupt file's row and queue its messages' files for download again."""
    result = await conn.execute(
        message_media.update()
        .where(message_media.c.sha256 == sha256)
        .values(
            status="pending", sha256=None, error="file lost; queued again by check", updated_at=now
        )
    )
    await conn.execute(media_files.delete().where(media_files.c.sha256 == sha256))
    return result.rowcount or 0


async def id_gaps(conn: AsyncConnection) -> list[tuple[int, str, int, int]]:
    """(channel id, title, missing ids, lowest missing id) for channels with holes.

    Holes are ids at or below ``synced_max_id`` with no row at all: posts Telegram deleted
    before they were archived, or rows lost since. Comments groups are not checked.
    """
    query = (
        sa.select(
            channels.c.id,
            channels.c.title,
            sync_state.c.synced_max_id,
            sa.func.count(messages.c.id),
            sa.func.min(messages.c.msg_id),
        )
        .join(sync_state, sync_state.c.channel_id == channels.c.id)
        .outerjoin(
            messages,
            sa.and_(
                messages.c.channel_id == channels.c.id,
                messages.c.msg_id <= sync_state.c.synced_max_id,
            ),
        )
        .where(channels.c.kind != "discussion", sync_state.c.synced_max_id > 0)
        .group_by(channels.c.id, channels.c.title, sync_state.c.synced_max_id)
    )
    gaps = []
    for cid, title, top, count, _low in await conn.execute(query):
        if count < top:
            lowest = await _lowest_missing(conn, cid, top)
            gaps.append((cid, title, top - count, lowest))
    return gaps


async def _lowest_missing(conn: AsyncConnection, channel_id: int, top: int) -> int:
    ids = (
        await conn.execute(
            sa.select(messages.c.msg_id)
            .where(messages.c.channel_id == channel_id, messages.c.msg_id <= top)
            .order_by(messages.c.msg_id)
        )
    ).scalars()
    expected = 1
    for msg_id in ids:
        if msg_id != expected:
            return expected
        expected += 1
    return expected


async def requeue_from(conn: AsyncConnection, channel_id: int, below: int) -> None:
    """Make the next sync fetch again everything from id ``below`` up (rows already stored
    are left as they are)."""
    await conn.execute(
        sync_state.update()
        .where(sync_state.c.channel_id == channel_id)
        .values(synced_max_id=max(0, below - 1), pass_max_id=None, pass_offset_id=None)
    )


async def search_index_counts(conn: AsyncConnection) -> tuple[int, int]:
    """(rows in the FTS index, messages that should be in it)."""
    indexed = (await conn.exec_driver_sql(f"SELECT count(*) FROM {FTS_TABLE}")).scalar() or 0
    expected = 0
    last = 0
    while True:
        rows = (
            await conn.execute(
                sa.select(messages.c.id, messages.c.text, messages.c.media)
                .where(messages.c.id > last)
                .order_by(messages.c.id)
                .limit(5000)
            )
        ).all()
        if not rows:
            return indexed, expected
        expected += sum(1 for r in rows if search_body(r.text, r.media))
        last = rows[-1].id
