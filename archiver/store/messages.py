"""Write messages: new posts, edits (kept as revisions), deletions (tombstones) and the FTS index.

``save_messages`` is the archiver's hot path: one batch of converted rows becomes a handful of
multi-row statements. A message whose text, entities or media changed keeps its previous version
in ``message_revisions``; counters (views, reactions...) are updated in place without a revision.

Captures can arrive out of order (a late page, an import of an older export). A capture is as
new as its ``edit_date`` (none: the unedited original, the oldest). Content moves only to a
capture at least as new as the stored one; each counter moves only to a value (never to None)
from a capture at least as new as the one it came from, so the final row does not depend on
the order captures are saved in.

A post t.me shows but cannot render is stored from the web preview as a placeholder
(``rows.is_placeholder``). The first capture with content fills it in as the post's first
version: no revision, no edit, and no capture-log entry for the placeholder, which holds no
content to prove. A placeholder capture never replaces content.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import message_media, message_revisions, messages
from archiver.evidence.captures import Capture, deletion_capture, post_capture
from archiver.rows import FileRow, MessageRow, SaveResult, is_placeholder
from archiver.store.evidence_log import append_captures, export_sha256, logging_on
from archiver.store.nul_free import nul_free
from archiver.store.search_index import fts_delete, fts_insert, fts_rows

# Media keys that change without the author editing the post (poll votes).
_VOLATILE_MEDIA_KEYS = frozenset({"results", "total_voters", "closed", "cached_page"})

_CONTENT_COLUMNS = ("text", "entities", "media_kind", "media")
_COUNTER_COLUMNS = ("views", "forwards", "replies", "reactions")
_COPIED_COLUMNS = [f.name for f in dataclasses.fields(MessageRow) if f.name not in ("files",)]
# What a capture that fills in a placeholder writes: everything but the key and the date
# (the date orders the search index and never changes).
_FILLED_COLUMNS = [c for c in _COPIED_COLUMNS if c not in ("channel_id", "msg_id", "date")]


def _stable_media(media: Any) -> str:
    if isinstance(media, dict):
        media = {k: v for k, v in media.items() if k not in _VOLATILE_MEDIA_KEYS}
    return json.dumps(media, sort_keys=True, ensure_ascii=False, default=str)


def _content_key(text: str, entities: Any, media_kind: str | None, media: Any) -> tuple[Any, ...]:
    return (
        text or "",
        json.dumps(entities or [], sort_keys=True),
        media_kind,
        _stable_media(media),
    )


def _file_values(message_pk: int, f: FileRow, now: int, status: str) -> dict[str, Any]:
    return {
        "message_id": message_pk,
        "role": f.role,
        "kind": f.kind,
        "tg_file_id": f.tg_file_id,
        "file_name": f.file_name,
        "mime": f.mime,
        "size": f.size,
        "width": f.width,
        "height": f.height,
        "duration": f.duration,
        "status": status,
        "updated_at": now,
    }


async def save_messages(
    conn: AsyncConnection, rows: Sequence[MessageRow], now: int, *, file_status: str = "pending"
) -> SaveResult:
    """Store a batch of messages of any channels; returns what was inserted, edited, unchanged.

    ``file_status`` is the status given to new media rows (``missing`` for imports without files).
    NUL in any text becomes U+FFFD first (``nul_free``), so the comparison with the stored
    version sees no edit where there is none.
    """
    if not rows:
        return SaveResult()
    rows = nul_free(rows)
    by_key = {(r.channel_id, r.msg_id): r for r in rows}
    existing = await _load_existing(conn, by_key)
    new = [r for key, r in by_key.items() if key not in existing]
    edited = unchanged = 0
    edited_keys: list[tuple[int, int]] = []
    filled: list[MessageRow] = []
    if new:
        await _insert_new(conn, new, now, file_status)
    revisions: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    fts_old: list[tuple[int, int, int, str, Any]] = []
    fts_new: list[tuple[int, int, int, str, Any]] = []
    for key, old in existing.items():
        row = by_key[key]
        values: dict[str, Any] = {"_pk": old.id, "last_seen_at": now}
        if old.deleted_at is not None and (
            row.source == "telegram" or (row.source == "web" and old.deleted_how == "web")
        ):  # shown again: t.me/s lifts only the tombstones it established itself
            values["deleted_at"] = None
            values["deleted_how"] = None
        if is_placeholder(old.media_kind, old.media) and not is_placeholder(
            row.media_kind, row.media
        ):
            filled.append(row)
            values.update({c: getattr(row, c) for c in _FILLED_COLUMNS})
            values.update(captured_at=now, counter_versions=None)
            fts_old.append((old.id, old.date, row.channel_id, old.text, old.media))
            fts_new.append((old.id, old.date, row.channel_id, row.text, row.media))
            await _replace_files(conn, old.id, row.files, now)
            updates.append(values)
            continue
        stale = (old.edit_date or 0) > (row.edit_date or 0) or is_placeholder(
            row.media_kind, row.media
        )
        values.update(_counter_values(old, row, stale))
        if not stale and _content_key(
            old.text, old.entities, old.media_kind, old.media
        ) != _content_key(row.text, row.entities, row.media_kind, row.media):
            edited += 1
            edited_keys.append(key)
            revisions.append(
                {
                    "message_id": old.id,
                    "captured_at": old.captured_at,
                    "superseded_at": now,
                    "edit_date": old.edit_date,
                    "text": old.text,
                    "entities": old.entities,
                    "media_kind": old.media_kind,
                    "media": old.media,
                    "media_sha256": old.sha256,
                    "raw": old.raw,
                }
            )
            values.update(
                text=row.text,
                entities=row.entities,
                media_kind=row.media_kind,
                media=row.media,
                edit_date=row.edit_date,
                captured_at=now,
                raw=row.raw,
            )
            # The stored date, not the new row's: a post's index key never changes.
            fts_old.append((old.id, old.date, row.channel_id, old.text, old.media))
            fts_new.append((old.id, old.date, row.channel_id, row.text, row.media))
            await _replace_files(conn, old.id, row.files, now)
        else:
            unchanged += 1
            if not stale:  # a late, older version changes nothing
                values["media"] = row.media  # volatile parts (poll results) only
                if row.edit_date is not None:
                    values["edit_date"] = row.edit_date
        updates.append(values)
    if revisions:
        await conn.execute(message_revisions.insert(), revisions)
    await _update_rows(conn, updates)
    await fts_delete(conn, fts_rows(fts_old))
    await fts_insert(conn, fts_rows(fts_new))
    if logging_on(conn):
        changed = [r for r in new if not is_placeholder(r.media_kind, r.media)]
        changed += filled + [by_key[key] for key in edited_keys]
        await append_captures(conn, _version_captures(conn, changed, now))
    return SaveResult(
        inserted=len(new) + len(filled),
        edited=edited,
        unchanged=unchanged,
        new_ids=tuple(r.msg_id for r in [*new, *filled]),
    )


def _version_captures(conn: AsyncConnection, rows: Sequence[MessageRow], now: int) -> list[Capture]:
    """The capture log entries of newly stored versions (new posts and edits)."""
    export = export_sha256(conn)
    return [
        post_capture(
            channel_id=r.channel_id,
            msg_id=r.msg_id,
            date=r.date,
            edit_date=r.edit_date,
            text=r.text,
            entities=r.entities,
            media_kind=r.media_kind,
            captured_at=now,
            source=r.source,
            export_sha256=export if r.source == "import" else None,
        )
        for r in rows
    ]


def _counter_values(old: Any, row: MessageRow, stale: bool) -> dict[str, Any]:
    """The counters a capture moves, and the capture version each stored counter came from.

    ``counter_versions`` is None while every stored counter came from the row's current
    version (the common case: one column fewer to write); otherwise it maps counter names to
    the ``edit_date`` (0: unedited) of the capture that gave them.
    """
    version = row.edit_date or 0
    current = old.edit_date or 0
    versions = old.counter_versions or {
        name: current for name in _COUNTER_COLUMNS if getattr(old, name) is not None
    }
    values: dict[str, Any] = {}
    for name in _COUNTER_COLUMNS:
        value = getattr(row, name)
        if value is not None and version >= versions.get(name, -1):
            values[name] = value
            versions[name] = version
    newest = current if stale else version  # the row's edit_date once this capture is saved
    uniform = all(v == newest for v in versions.values())
    values["counter_versions"] = None if uniform else versions
    return values


async def _update_rows(conn: AsyncConnection, updates: list[dict[str, Any]]) -> None:
    """Apply per-row updates, grouped by the set of columns so each group is one executemany."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in updates:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    for columns, params in groups.items():
        stmt = (
            messages.update()
            .where(messages.c.id == sa.bindparam("_pk"))
            .values({c: sa.bindparam(c) for c in columns if c != "_pk"})
        )
        await conn.execute(stmt, params)


async def _load_existing(
    conn: AsyncConnection, keys: dict[tuple[int, int], MessageRow]
) -> dict[tuple[int, int], Any]:
    found: dict[tuple[int, int], Any] = {}
    by_channel: dict[int, list[int]] = {}
    for channel_id, msg_id in keys:
        by_channel.setdefault(channel_id, []).append(msg_id)
    main_file = message_media.alias("mm")
    for channel_id, ids in by_channel.items():
        query = (
            sa.select(
                messages.c.id,
                messages.c.msg_id,
                messages.c.date,
                messages.c.text,
                messages.c.entities,
                messages.c.media_kind,
                messages.c.media,
                messages.c.edit_date,
                messages.c.captured_at,
                messages.c.deleted_at,
                messages.c.deleted_how,
                messages.c.raw,
                messages.c.views,
                messages.c.forwards,
                messages.c.replies,
                messages.c.reactions,
                messages.c.counter_versions,
                main_file.c.sha256,
            )
            .outerjoin(
                main_file,
                sa.and_(main_file.c.message_id == messages.c.id, main_file.c.role == "main"),
            )
            .where(messages.c.channel_id == channel_id, messages.c.msg_id.in_(ids))
        )
        for r in await conn.execute(query):
            found[(channel_id, r.msg_id)] = r
    return found


async def _insert_new(
    conn: AsyncConnection, new: list[MessageRow], now: int, file_status: str
) -> None:
    params = []
    for r in new:
        values = {name: getattr(r, name) for name in _COPIED_COLUMNS}
        values.update(first_seen_at=now, last_seen_at=now, captured_at=now)
        params.append(values)
    # A plain executemany: RETURNING with ordered parameters makes SQLAlchemy send one
    # statement per row on SQLite, which costs most of the ingest time through aiosqlite.
    await conn.execute(messages.insert(), params)
    pk_by_key: dict[tuple[int, int], int] = {}
    by_channel: dict[int, list[int]] = {}
    for r in new:
        by_channel.setdefault(r.channel_id, []).append(r.msg_id)
    for channel_id, ids in by_channel.items():
        found = await conn.execute(
            sa.select(messages.c.id, messages.c.msg_id).where(
                messages.c.channel_id == channel_id, messages.c.msg_id.in_(ids)
            )
        )
        pk_by_key.update(((channel_id, row.msg_id), row.id) for row in found)
    pks = [pk_by_key[(r.channel_id, r.msg_id)] for r in new]
    files = [
        _file_values(pk, f, now, file_status)
        for pk, r in zip(pks, new, strict=True)
        for f in r.files
    ]
    if files:
        await conn.execute(message_media.insert(), files)
    await fts_insert(
        conn,
        fts_rows(
            (pk, r.date, r.channel_id, r.text, r.media) for pk, r in zip(pks, new, strict=True)
        ),
    )


async def _replace_files(
    conn: AsyncConnection, message_pk: int, files: tuple[FileRow, ...], now: int
) -> None:
    """An edit may change the media: keep rows whose file is the same, queue new ones."""
    current = {
        r.role: r
        for r in await conn.execute(
            sa.select(message_media).where(message_media.c.message_id == message_pk)
        )
    }
    wanted = {f.role: f for f in files}
    for role, old in current.items():
        f = wanted.get(role)
        if f is None or f.tg_file_id != old.tg_file_id:
            await conn.execute(message_media.delete().where(message_media.c.id == old.id))
    for role, f in wanted.items():
        kept = current.get(role)
        if kept is None or f.tg_file_id != kept.tg_file_id:
            await conn.execute(
                message_media.insert().values(_file_values(message_pk, f, now, "pending"))
            )


async def mark_deleted(
    conn: AsyncConnection, channel_id: int, msg_ids: Iterable[int], now: int, how: str
) -> list[int]:
    """Put a tombstone on stored messages Telegram deleted; content stays. Returns ids marked."""
    ids = list(msg_ids)
    if not ids:
        return []
    marked = await conn.execute(
        messages.update()
        .where(
            messages.c.channel_id == channel_id,
            messages.c.msg_id.in_(ids),
            messages.c.deleted_at.is_(None),
        )
        .values(deleted_at=now, deleted_how=how)
        .returning(messages.c.msg_id)
    )
    done = sorted(r.msg_id for r in marked)
    await append_captures(
        conn,
        [deletion_capture(channel_id=channel_id, msg_id=m, deleted_at=now, how=how) for m in done],
    )
    return done


async def stored_msg_ids(
    conn: AsyncConnection,
    channel_id: int,
    *,
    below: int | None = None,
    limit: int | None = None,
    include_deleted: bool = False,
) -> list[int]:
    """Stored message ids of a channel, newest first (below ``below`` when given)."""
    query = sa.select(messages.c.msg_id).where(messages.c.channel_id == channel_id)
    if below is not None:
        query = query.where(messages.c.msg_id < below)
    if not include_deleted:
        query = query.where(messages.c.deleted_at.is_(None))
    query = query.order_by(messages.c.msg_id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list((await conn.execute(query)).scalars())


async def purge_channel_messages(conn: AsyncConnection, channel_id: int) -> int:
    """Delete every message of a channel and its search entries; returns how many."""
    rows = await conn.execute(
        sa.select(messages.c.id, messages.c.date, messages.c.text, messages.c.media).where(
            messages.c.channel_id == channel_id
        )
    )
    await fts_delete(conn, fts_rows((r.id, r.date, channel_id, r.text, r.media) for r in rows))
    result = await conn.execute(messages.delete().where(messages.c.channel_id == channel_id))
    return result.rowcount or 0


async def set_post_hidden(
    conn: AsyncConnection, channel_id: int, msg_id: int, hidden: bool
) -> bool:
    """Take a post down from (or put it back on) the public mirror; False if not stored."""
    result = await conn.execute(
        messages.update()
        .where(messages.c.channel_id == channel_id, messages.c.msg_id == msg_id)
        .values(hidden=hidden)
    )
    return bool(result.rowcount)


async def add_revisions(
    conn: AsyncConnection, channel_id: int, msg_id: int, revisions: list[dict[str, Any]]
) -> int:
    """Store earlier versions read from an export, unless the message already has some."""
    pk = (
        await conn.execute(
            sa.select(messages.c.id).where(
                messages.c.channel_id == channel_id, messages.c.msg_id == msg_id
            )
        )
    ).scalar()
    if pk is None or not revisions:
        return 0
    existing = await conn.execute(
        sa.select(message_revisions.c.id).where(message_revisions.c.message_id == pk).limit(1)
    )
    if existing.first() is not None:
        return 0
    columns = (
        "captured_at",
        "superseded_at",
        "edit_date",
        "text",
        "entities",
        "media_kind",
        "media",
    )
    rows = [{"message_id": pk, **{c: nul_free(r.get(c)) for c in columns}} for r in revisions]
    for row in rows:
        row["text"] = row["text"] or ""
        row["captured_at"] = row["captured_at"] or 0
        row["superseded_at"] = row["superseded_at"] or 0
    await conn.execute(message_revisions.insert(), rows)
    date = (await conn.execute(sa.select(messages.c.date).where(messages.c.id == pk))).scalar()
    export = export_sha256(conn)
    await append_captures(
        conn,
        [
            post_capture(
                channel_id=channel_id,
                msg_id=msg_id,
                date=int(date or 0),
                edit_date=r["edit_date"],
                text=r["text"],
                entities=r["entities"],
                media_kind=r["media_kind"],
                captured_at=r["captured_at"],
                source="import",
                export_sha256=export,
            )
            for r in rows
        ],
    )
    return len(rows)


async def posts_with_comments(conn: AsyncConnection, channel_id: int, limit: int) -> list[int]:
    """Ids of the newest posts of a channel that Telegram says have comments."""
    rows = await conn.execute(
        sa.select(messages.c.msg_id)
        .where(messages.c.channel_id == channel_id, messages.c.replies > 0)
        .order_by(messages.c.msg_id.desc())
        .limit(limit)
    )
    return [r.msg_id for r in rows]


async def thread_msg_ids(conn: AsyncConnection, channel_id: int, msg_id: int) -> list[int]:
    """Stored, not deleted comments (ids in the discussion group) under a channel post."""
    rows = await conn.execute(
        sa.select(messages.c.msg_id).where(
            messages.c.thread_channel_id == channel_id,
            messages.c.thread_msg_id == msg_id,
            messages.c.deleted_at.is_(None),
        )
    )
    return [r.msg_id for r in rows]
