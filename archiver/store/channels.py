"""Channels: keyed by Telegram's id; titles and usernames are attributes with a history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channel_names, channels, sync_state
from archiver.decimal_ids import parse_decimal_id
from archiver.rows import ChannelRow
from archiver.store.events import add_event
from archiver.store.nul_free import nul_free
from archiver.store.quick_select import QuickSelect


@dataclass(frozen=True, slots=True)
class Channel:
    """A stored channel as the rest of tgmirror sees it."""

    id: int
    access_hash: int | None
    username: str | None
    title: str
    about: str
    kind: str
    linked_chat_id: int | None
    participants: int | None
    photo_sha256: str | None
    status: str
    status_reason: str | None
    status_detail: str | None
    status_changed_at: int | None
    erased_at: int | None
    restriction: Any
    publish: str
    hidden: bool
    following: bool
    source: str
    added_at: int
    checked_at: int | None


def _channel(row: sa.Row[Any]) -> Channel:
    return Channel(**{name: getattr(row, name) for name in Channel.__slots__})


_COLUMNS = [channels.c[name] for name in Channel.__slots__]


# Built once: the mirror looks a channel up at the start of every page whose channel it has
# not seen for a second (``web.channel_cache``), and building these SELECTs cost more than
# running them; on the mirror's quick reader they run on the raw ``sqlite3`` cursor.
_BY_ID = QuickSelect(
    sa.select(*_COLUMNS).where(channels.c.id == sa.bindparam("id", type_=sa.BigInteger))
)
_BY_USERNAME = QuickSelect(
    sa.select(*_COLUMNS).where(
        sa.func.lower(channels.c.username) == sa.bindparam("name", type_=sa.String)
    )
)
_BY_OLD_USERNAME = QuickSelect(
    sa.select(channel_names.c.channel_id)
    .where(
        channel_names.c.kind == "username",
        channel_names.c.value_key == sa.bindparam("name", type_=sa.String),
    )
    .order_by(channel_names.c.last_seen_at.desc())
    .limit(1)
)


async def get_channel(conn: AsyncConnection, channel_id: int) -> Channel | None:
    """The channel with Telegram id ``channel_id``, or None."""
    rows = await _BY_ID.fetch(conn, {"id": channel_id})
    return Channel(*rows[0]) if rows else None


async def get_channels(conn: AsyncConnection, channel_ids: set[int]) -> dict[int, Channel]:
    """The stored channels among ``channel_ids``, by id (one query for a page of results)."""
    if not channel_ids:
        return {}
    rows = await conn.execute(sa.select(*_COLUMNS).where(channels.c.id.in_(channel_ids)))
    return {row.id: _channel(row) for row in rows}


async def list_channels(conn: AsyncConnection, *, following_only: bool = False) -> list[Channel]:
    """All stored channels, by title."""
    query = sa.select(*_COLUMNS).order_by(sa.func.lower(channels.c.title), channels.c.id)
    if following_only:
        query = query.where(channels.c.following.is_(True))
    return [_channel(r) for r in await conn.execute(query)]


async def find_channel(conn: AsyncConnection, key: str | int) -> Channel | None:
    """Find a channel by id, current username or any username it had (newest holder wins)."""
    if isinstance(key, int):
        return await get_channel(conn, abs(key))
    number = parse_decimal_id(key)
    if number is not None:
        return await get_channel(conn, abs(number))
    name = key.lstrip("@").lower()
    if "\x00" in name:  # no stored name holds NUL (``nul_free``); PostgreSQL cannot bind it
        return None
    rows = await _BY_USERNAME.fetch(conn, {"name": name})
    if rows:
        return Channel(*rows[0])
    old = await _BY_OLD_USERNAME.fetch(conn, {"name": name})
    return await get_channel(conn, old[0][0]) if old else None


async def channel_names_history(conn: AsyncConnection, channel_id: int) -> list[dict[str, Any]]:
    """Every title and username a channel had, oldest first."""
    rows = await conn.execute(
        sa.select(channel_names)
        .where(channel_names.c.channel_id == channel_id)
        .order_by(channel_names.c.first_seen_at, channel_names.c.id)
    )
    return [
        {
            "kind": r.kind,
            "value": r.value,
            "first_seen_at": r.first_seen_at,
            "last_seen_at": r.last_seen_at,
        }
        for r in rows
    ]


async def _note_name(
    conn: AsyncConnection, channel_id: int, kind: str, value: str, now: int
) -> None:
    key = value.lower()
    updated = await conn.execute(
        channel_names.update()
        .where(
            channel_names.c.channel_id == channel_id,
            channel_names.c.kind == kind,
            channel_names.c.value == value,
        )
        .values(last_seen_at=now)
    )
    if updated.rowcount == 0:
        await conn.execute(
            channel_names.insert().values(
                channel_id=channel_id,
                kind=kind,
                value=value,
                value_key=key,
                first_seen_at=now,
                last_seen_at=now,
            )
        )


async def upsert_channel(
    conn: AsyncConnection,
    row: ChannelRow,
    now: int,
    *,
    source: str = "telegram",
    following: bool | None = None,
) -> list[str]:
    """Insert or update a channel from Telegram's view of it; returns the events it logged.

    A title or username change is kept in ``channel_names`` and logged as an event; a username
    that now belongs to this channel is released from any other stored channel. NUL in its
    text becomes U+FFFD (``nul_free``).
    """
    row = nul_free(row)
    old = await get_channel(conn, row.id)
    logged: list[str] = []
    values: dict[str, Any] = {
        "access_hash": row.access_hash
        if row.access_hash is not None
        else (old and old.access_hash),
        "title": row.title,
        "username": row.username,
        "kind": row.kind,
        "checked_at": now,
    }
    for name in ("about", "linked_chat_id", "participants", "created_date"):
        if getattr(row, name) is not None:
            values[name] = getattr(row, name)
    if row.raw is not None:
        values["raw"] = row.raw
    values["restriction"] = row.restriction
    if following is not None:
        values["following"] = following
    if row.username:
        await conn.execute(
            channels.update()
            .where(
                sa.func.lower(channels.c.username) == row.username.lower(), channels.c.id != row.id
            )
            .values(username=None)
        )
    if old is None:
        await conn.execute(
            channels.insert().values(id=row.id, added_at=now, source=source, **values)
        )
        await conn.execute(sync_state.insert().values(channel_id=row.id))
        await add_event(conn, row.id, "added", now, {"title": row.title, "username": row.username})
        logged.append("added")
    else:
        await conn.execute(channels.update().where(channels.c.id == row.id).values(**values))
        if old.title != row.title:
            await add_event(conn, row.id, "renamed", now, {"old": old.title, "new": row.title})
            logged.append("renamed")
        if (old.username or "").lower() != (row.username or "").lower():
            detail = {"old": old.username, "new": row.username}
            await add_event(conn, row.id, "username_changed", now, detail)
            logged.append("username_changed")
        if row.about is not None and old.about != row.about and old.source == "telegram":
            await add_event(
                conn, row.id, "about_changed", now, {"old": old.about, "new": row.about}
            )
            logged.append("about_changed")
    await _note_name(conn, row.id, "title", row.title, now)
    if row.username:
        await _note_name(conn, row.id, "username", row.username, now)
    return logged


async def set_channel_fields(conn: AsyncConnection, channel_id: int, **values: Any) -> None:
    """Update stored attributes of a channel (status, publish, hidden, following, photo...)."""
    await conn.execute(
        channels.update().where(channels.c.id == channel_id).values(**nul_free(values))
    )


async def delete_channel(conn: AsyncConnection, channel_id: int) -> None:
    """Remove a channel and, by cascade, everything archived from it."""
    await conn.execute(channels.delete().where(channels.c.id == channel_id))
