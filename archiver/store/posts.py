"""Read stored messages as ``Post`` objects, with their files and revisions.

The one read model shared by the web app and the exporters: the page, the feed, the JSON API
and an export of the same message all start from the same ``Post``. The post columns, the
date and hidden filters, and the file and revision queries are defined here once; the mirror
reads them by message pk (``fetch_posts``, ``get_revisions``), an export by message-id range
(``export_rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import media_files, message_media, message_revisions, messages
from archiver.store.quick_select import QuickSelect


@dataclass(frozen=True, slots=True)
class PostFile:
    """A file of a post; ``path`` (relative to the media dir) is set once it is stored."""

    role: str
    kind: str
    status: str
    sha256: str | None
    path: str | None
    mime: str | None
    size: int | None
    file_name: str | None
    width: int | None
    height: int | None
    duration: float | None


@dataclass(frozen=True, slots=True)
class Revision:
    """A superseded version of a post."""

    captured_at: int
    superseded_at: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    media: Any
    media_sha256: str | None


@dataclass(slots=True)
class Post:
    """A stored message with everything needed to show or export it."""

    pk: int
    channel_id: int
    msg_id: int
    date: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    media: Any
    grouped_id: int | None
    reply_to_msg_id: int | None
    reply_to: Any
    fwd_from: Any
    views: int | None
    forwards: int | None
    replies: int | None
    reactions: Any
    post_author: str | None
    from_id: int | None
    action: Any
    thread_channel_id: int | None
    thread_msg_id: int | None
    hidden: bool
    deleted_at: int | None
    deleted_how: str | None
    first_seen_at: int
    captured_at: int
    source: str
    extra: Any
    revision_count: int = 0
    files: list[PostFile] = field(default_factory=list)

    @property
    def main_file(self) -> PostFile | None:
        return next((f for f in self.files if f.role == "main"), None)

    @property
    def thumb_file(self) -> PostFile | None:
        return next((f for f in self.files if f.role == "thumb"), None)


POST_COLUMNS = (
    messages.c.id.label("pk"),
    *(messages.c[name] for name in Post.__slots__ if name not in ("pk", "files", "revision_count")),
)
"""The columns of a ``Post`` in its field order, so that ``Post(*row)`` builds one (much cheaper
than keywords on a million rows); ``revision_count`` may follow, ``files`` are attached."""
_REVISION_COUNT = (
    sa.select(sa.func.count())
    .where(message_revisions.c.message_id == messages.c.id)
    .scalar_subquery()
    .label("revision_count")
)


# Built once: coercing thirty columns into a new SELECT cost more than running the query.
# A Select is immutable (``where`` and friends return copies), so sharing it is safe.
_POST_SELECT = sa.select(*POST_COLUMNS, _REVISION_COUNT)


def post_query() -> sa.Select[Any]:
    """A SELECT of post columns (plus revision count); add WHERE/ORDER/LIMIT and ``fetch_posts``."""
    return _POST_SELECT


def post_filters(
    query: sa.Select[Any], *, since: int | None, until: int | None, include_hidden: bool
) -> sa.Select[Any]:
    """``query`` limited to posts dated in [since, until) (Unix seconds; None: unbounded), and
    to posts not hidden by the operator unless ``include_hidden``."""
    if since is not None:
        query = query.where(messages.c.date >= since)
    if until is not None:
        query = query.where(messages.c.date < until)
    if not include_hidden:
        query = query.where(messages.c.hidden.is_(False))
    return query


async def fetch_posts(
    conn: AsyncConnection, query: sa.Select[Any], params: dict[str, Any] | None = None
) -> list[Post]:
    """Run a ``post_query()``-based SELECT (with its bound ``params``) and attach files."""
    posts = [Post(*row) for row in await conn.execute(query, params)]
    if posts:
        await _attach_files(conn, posts)
    return posts


FILE_COLUMNS = (
    message_media.c.message_id,
    message_media.c.role,
    message_media.c.kind,
    message_media.c.status,
    message_media.c.sha256,
    media_files.c.path,
    sa.func.coalesce(media_files.c.mime, message_media.c.mime),
    sa.func.coalesce(media_files.c.size, message_media.c.size),
    message_media.c.file_name,
    message_media.c.width,
    message_media.c.height,
    message_media.c.duration,
)
"""The message pk, then a ``PostFile``'s fields in order."""

FILES_SELECT = (
    sa.select(*FILE_COLUMNS)
    .outerjoin(media_files, media_files.c.sha256 == message_media.c.sha256)
    .order_by(message_media.c.id)
)
"""(message pk, file fields) of every file; add the WHERE naming the posts."""

REVISIONS_SELECT = sa.select(
    message_revisions.c.message_id,
    message_revisions.c.captured_at,
    message_revisions.c.superseded_at,
    message_revisions.c.edit_date,
    message_revisions.c.text,
    message_revisions.c.entities,
    message_revisions.c.media_kind,
    message_revisions.c.media,
    message_revisions.c.media_sha256,
).order_by(message_revisions.c.message_id, message_revisions.c.captured_at, message_revisions.c.id)
"""(message pk, ``Revision`` fields) of every superseded version, oldest first per post; add
the WHERE naming the posts."""

_FILES_OF_POSTS = QuickSelect(
    FILES_SELECT.where(message_media.c.message_id.in_(sa.bindparam("pks", expanding=True))),
    expanding="pks",
)


def attach_files(by_pk: dict[int, Post], rows: Sequence[Sequence[Any]]) -> None:
    """Append each (message pk, file fields) row's file to its post; rows of posts not in
    ``by_pk`` (left out by a filter) are skipped."""
    for message_id, *values in rows:
        post = by_pk.get(message_id)
        if post is not None:
            post.files.append(PostFile(*values))


async def _attach_files(conn: AsyncConnection, posts: Sequence[Post]) -> None:
    by_pk = {p.pk: p for p in posts}
    attach_files(by_pk, await _FILES_OF_POSTS.fetch(conn, {"pks": list(by_pk)}))


async def fetch_quick_posts(
    conn: AsyncConnection, query: QuickSelect, params: dict[str, Any]
) -> list[Post]:
    """``fetch_posts`` for a ``post_query()``-based SELECT prepared as a ``QuickSelect``: on a
    synchronous SQLite reader it runs on the raw ``sqlite3`` cursor, elsewhere as usual."""
    posts = [Post(*row) for row in await query.fetch(conn, params)]
    if posts:
        await _attach_files(conn, posts)
    return posts


async def get_post(conn: AsyncConnection, channel_id: int, msg_id: int) -> Post | None:
    """One post by channel and Telegram message id (hidden and deleted ones included)."""
    query = post_query().where(messages.c.channel_id == channel_id, messages.c.msg_id == msg_id)
    posts = await fetch_posts(conn, query)
    return posts[0] if posts else None


async def get_revisions(conn: AsyncConnection, post_pk: int) -> list[Revision]:
    """The superseded versions of a post, oldest first."""
    rows = await conn.execute(REVISIONS_SELECT.where(message_revisions.c.message_id == post_pk))
    return [Revision(*values) for _, *values in rows]
