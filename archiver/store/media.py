"""Media rows: which files a message has, which are stored, which still need downloading."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import media_files, message_media, messages
from archiver.evidence.captures import media_capture
from archiver.store.dialect import dialect_of
from archiver.store.evidence_log import append_captures, logging_on
from archiver.store.nul_free import nul_free


@dataclass(frozen=True, slots=True)
class PendingFile:
    """A media row waiting for download, with the message it belongs to."""

    media_id: int
    channel_id: int
    msg_id: int
    role: str
    kind: str
    size: int | None
    attempts: int
    mime: str | None
    file_name: str | None
    width: int | None
    height: int | None


async def pending_files(
    conn: AsyncConnection,
    channel_id: int,
    *,
    limit: int = 500,
    max_attempts: int = 10,
    below_msg_id: int | None = None,
) -> list[PendingFile]:
    """Files of a channel still to download (pending or failed), newest message first."""
    query = (
        sa.select(
            message_media.c.id,
            messages.c.channel_id,
            messages.c.msg_id,
            message_media.c.role,
            message_media.c.kind,
            message_media.c.size,
            message_media.c.attempts,
            message_media.c.mime,
            message_media.c.file_name,
            message_media.c.width,
            message_media.c.height,
        )
        .join(messages, messages.c.id == message_media.c.message_id)
        .where(
            messages.c.channel_id == channel_id,
            message_media.c.status.in_(("pending", "failed")),
            message_media.c.attempts < max_attempts,
        )
        .order_by(messages.c.msg_id.desc(), message_media.c.id)
        .limit(limit)
    )
    if below_msg_id is not None:
        query = query.where(messages.c.msg_id < below_msg_id)
    return [PendingFile(*r) for r in await conn.execute(query)]


async def record_file(
    conn: AsyncConnection,
    sha256: str,
    size: int,
    mime: str,
    path: str,
    now: int,
    width: int | None = None,
    height: int | None = None,
) -> None:
    """Register stored file content (a no-op when the same bytes are already known)."""
    values = dict(
        sha256=sha256,
        size=size,
        mime=nul_free(mime),
        path=path,
        width=width,
        height=height,
        created_at=now,
    )
    insert = dialect_of(conn).insert(media_files)
    await conn.execute(insert.values(values).on_conflict_do_nothing())


async def mark_file_stored(conn: AsyncConnection, media_id: int, sha256: str, now: int) -> None:
    """Link a media row to its stored content."""
    await conn.execute(
        message_media.update()
        .where(message_media.c.id == media_id)
        .values(status="stored", sha256=sha256, error=None, updated_at=now)
    )
    if not logging_on(conn):
        return
    row = (
        await conn.execute(
            sa.select(messages.c.channel_id, messages.c.msg_id, message_media.c.role)
            .join(messages, messages.c.id == message_media.c.message_id)
            .where(message_media.c.id == media_id)
        )
    ).first()
    if row is not None:
        capture = media_capture(
            channel_id=row.channel_id,
            msg_id=row.msg_id,
            role=row.role,
            sha256=sha256,
            captured_at=now,
        )
        await append_captures(conn, [capture])


async def mark_file_status(
    conn: AsyncConnection, media_id: int, status: str, now: int, error: str | None = None
) -> None:
    """Record that a file was skipped by policy or failed (failed ones are retried later)."""
    values: dict[str, object] = {"status": status, "error": nul_free(error), "updated_at": now}
    if status == "failed":
        values["attempts"] = message_media.c.attempts + 1
    await conn.execute(message_media.update().where(message_media.c.id == media_id).values(values))


async def file_path(conn: AsyncConnection, sha256: str) -> tuple[str, str, int] | None:
    """(relative path, mime, size) of stored content, or None."""
    row = (
        await conn.execute(
            sa.select(media_files.c.path, media_files.c.mime, media_files.c.size).where(
                media_files.c.sha256 == sha256
            )
        )
    ).first()
    return (row.path, row.mime, row.size) if row else None


async def main_file_ids(
    conn: AsyncConnection, channel_id: int, msg_ids: list[int]
) -> dict[int, int]:
    """{msg_id: media row id} of the main files of some messages of a channel."""
    rows = await conn.execute(
        sa.select(messages.c.msg_id, message_media.c.id)
        .join(message_media, message_media.c.message_id == messages.c.id)
        .where(
            messages.c.channel_id == channel_id,
            messages.c.msg_id.in_(msg_ids),
            message_media.c.role == "main",
        )
    )
    return {r.msg_id: r.id for r in rows}


async def file_ids_by_role(
    conn: AsyncConnection, channel_id: int, msg_ids: list[int], role: str
) -> dict[int, int]:
    """{msg_id: media row id} of the files with ``role`` (main | thumb) of some messages."""
    rows = await conn.execute(
        sa.select(messages.c.msg_id, message_media.c.id)
        .join(message_media, message_media.c.message_id == messages.c.id)
        .where(
            messages.c.channel_id == channel_id,
            messages.c.msg_id.in_(msg_ids),
            message_media.c.role == role,
        )
    )
    return {r.msg_id: r.id for r in rows}
