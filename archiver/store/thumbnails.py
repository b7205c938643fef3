"""Thumbnails of stored photos: which resized JPEG (store key and size) a photo has per width."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import media_thumbnails
from archiver.store.dialect import dialect_of


async def find_thumbnail(conn: AsyncConnection, sha256: str, width: int) -> str | None:
    """The store key of the ``width`` pixels wide thumbnail of a photo, if it was made."""
    found = await conn.execute(
        sa.select(media_thumbnails.c.path).where(
            media_thumbnails.c.sha256 == sha256, media_thumbnails.c.width == width
        )
    )
    return found.scalar_one_or_none()


async def save_thumbnail(
    conn: AsyncConnection, sha256: str, width: int, key: str, size: int, now: int
) -> None:
    """Remember a thumbnail; a second maker of the same one (two readers at once) is a no-op."""
    stmt = (
        dialect_of(conn)
        .insert(media_thumbnails)
        .values(sha256=sha256, width=width, path=key, size=size, created_at=now)
    )
    await conn.execute(stmt.on_conflict_do_nothing())
