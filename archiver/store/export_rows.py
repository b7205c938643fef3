"""Read a channel's posts for export: big batches, files and edit history in two queries each.

An export of a million posts needs the same ``Post`` objects as the mirror (``posts.py``: its
columns, filters, file and revision queries) without one query per post for its revisions, so
a batch here costs three statements: the posts, their files and their superseded versions, all
bounded by a message-id range of the channel (an index range, no huge ``IN`` lists).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import message_media, message_revisions, messages
from archiver.store.dialect import dialect_of
from archiver.store.posts import (
    FILES_SELECT,
    POST_COLUMNS,
    REVISIONS_SELECT,
    Post,
    PostFile,
    Revision,
    attach_files,
    post_filters,
)


@dataclass(slots=True)
class ExportBatch:
    """Posts of one channel in ascending message id, with each post's superseded versions."""

    posts: list[Post]
    revisions: dict[int, list[Revision]] = field(default_factory=dict)  # by post pk


async def count_export_posts(
    conn: AsyncConnection,
    channel_id: int,
    *,
    since: int | None = None,
    until: int | None = None,
    include_hidden: bool = True,
) -> int:
    """How many posts an export with these bounds will write (for a progress bar)."""
    query = sa.select(sa.func.count()).where(messages.c.channel_id == channel_id)
    query = post_filters(query, since=since, until=until, include_hidden=include_hidden)
    return int((await conn.execute(query)).scalar() or 0)


async def iter_export_batches(
    conn: AsyncConnection,
    channel_id: int,
    *,
    since: int | None = None,
    until: int | None = None,
    include_hidden: bool = True,
    with_history: bool = True,
    batch: int = 2000,
) -> AsyncIterator[ExportBatch]:
    """Every post of a channel in ascending message id, ``batch`` at a time (memory stays flat).

    ``since``/``until`` bound the post date (Unix seconds, inclusive / exclusive). Each post
    has its files attached; ``revisions`` holds the superseded versions when ``with_history``.
    """
    last = -(2**63)
    while True:
        query = sa.select(*POST_COLUMNS).where(
            messages.c.channel_id == channel_id, messages.c.msg_id > last
        )
        query = post_filters(query, since=since, until=until, include_hidden=include_hidden)
        rows = (await conn.execute(query.order_by(messages.c.msg_id).limit(batch))).all()
        if not rows:
            return
        posts = [Post(*row) for row in rows]
        low, high = last, posts[-1].msg_id
        by_pk = {p.pk: p for p in posts}
        attach_files(by_pk, await _file_rows(conn, channel_id, low, high))
        revisions: dict[int, list[Revision]] = {}
        if with_history:
            revisions = await _revisions(conn, channel_id, low, high, by_pk)
        for pk, versions in revisions.items():
            by_pk[pk].revision_count = len(versions)
        yield ExportBatch(posts, revisions)
        last = high


def _in_range(channel_id: int, low: int, high: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        messages.c.channel_id == channel_id, messages.c.msg_id > low, messages.c.msg_id <= high
    )


async def _file_rows(
    conn: AsyncConnection, channel_id: int, low: int, high: int
) -> Sequence[Sequence[Any]]:
    """(message pk, file fields) of the posts with ids in (low, high]."""
    query = FILES_SELECT.join(messages, messages.c.id == message_media.c.message_id)
    rows: Sequence[Sequence[Any]] = (
        await conn.execute(query.where(_in_range(channel_id, low, high)))
    ).all()
    return rows


async def _revisions(
    conn: AsyncConnection, channel_id: int, low: int, high: int, by_pk: dict[int, Post]
) -> dict[int, list[Revision]]:
    out: dict[int, list[Revision]] = {}
    for message_id, revision in await revision_rows(conn, channel_id, low, high):
        if message_id in by_pk:
            out.setdefault(message_id, []).append(revision)
    return out


async def revision_rows(
    conn: AsyncConnection, channel_id: int, low: int, high: int
) -> list[tuple[int, Revision]]:
    """(message pk, superseded version) of the posts with ids in (low, high], oldest first."""
    query = REVISIONS_SELECT.join(messages, messages.c.id == message_revisions.c.message_id)
    rows = await conn.execute(query.where(_in_range(channel_id, low, high)))
    return [(message_id, Revision(*values)) for message_id, *values in rows]


RAW_COLUMNS = (
    "msg_id",
    "date",
    "edit_date",
    "text",
    "entities",
    "media_kind",
    "media",
    "grouped_id",
    "reply_to_msg_id",
    "reply_to",
    "fwd_from",
    "views",
    "forwards",
    "replies",
    "reactions",
    "post_author",
    "from_id",
    "action",
    "deleted_at",
    "deleted_how",
    "first_seen_at",
    "captured_at",
)
RAW_JSON = frozenset({"entities", "media", "reply_to", "fwd_from", "reactions", "action"})


@dataclass(slots=True)
class RawBatch:
    """Rows of (msg_id, JSON object text, pk), with files and revisions by pk."""

    rows: list[tuple[Any, ...]]
    files: dict[int, list[PostFile]]
    revisions: dict[int, list[Revision]]


async def iter_raw_batches(
    conn: AsyncConnection,
    channel_id: int,
    *,
    since: int | None = None,
    until: int | None = None,
    batch: int = 5000,
) -> AsyncIterator[RawBatch]:
    """Visible posts of a channel as JSON objects built by the database, in id order.

    Each row is (msg_id, json text, pk): the database's JSON object builder writes the stored
    columns (JSON columns embedded as JSON, not as strings), so no Python encoding per post.
    """
    dialect = dialect_of(conn)
    pairs: list[Any] = []
    for name in RAW_COLUMNS:
        column = messages.c[name]
        pairs += [
            sa.literal("id" if name == "msg_id" else name, sa.Text),
            dialect.json_value(column) if name in RAW_JSON else column,
        ]
    document = dialect.json_object(*pairs)
    last = -(2**63)
    while True:
        query = sa.select(messages.c.msg_id, sa.cast(document, sa.Text), messages.c.id)
        query = query.where(messages.c.channel_id == channel_id, messages.c.msg_id > last)
        query = post_filters(query, since=since, until=until, include_hidden=False)
        rows = (await conn.execute(query.order_by(messages.c.msg_id).limit(batch))).all()
        if not rows:
            return
        high = rows[-1][0]
        files: dict[int, list[PostFile]] = {}
        for pk, *values in await _file_rows(conn, channel_id, last, high):
            files.setdefault(pk, []).append(PostFile(*values))
        revisions: dict[int, list[Revision]] = {}
        for pk, revision in await revision_rows(conn, channel_id, last, high):
            revisions.setdefault(pk, []).append(revision)
        yield RawBatch([tuple(r) for r in rows], files, revisions)
        last = high
