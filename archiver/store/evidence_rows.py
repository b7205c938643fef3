"""The archive rows the capture log describes, read in bulk for ``tgmirror verify``.

One query per table, not per capture: verification runs at tens of thousands of captures a
second only if the rows come in a few large reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import events, media_files, message_media, message_revisions, messages
from archiver.store.bulk_read import RowSource, fetch_all, utf8

MessageKey = tuple[int, int]


class Version(NamedTuple):
    """One stored version of a message: the current row, or a revision. ``entities`` is the
    stored JSON text as the driver returns it (decoded by ``entities_value``): ``verify``
    canonicalizes each distinct text once instead of decoding every row."""

    date: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    captured_at: int
    current: bool


def _text(stored: bytes | str | None) -> str:
    """A stored text as read in bulk (UTF-8 bytes) as a string; bytes that are not UTF-8
    become U+FFFD, so the rebuilt capture differs from the logged one and names the text."""
    if isinstance(stored, bytes):
        return stored.decode("utf-8", "replace")
    return stored or ""


def entities_value(stored: Any) -> Any:
    """The entities of a ``Version`` as a value (its stored JSON text decoded)."""
    return json.loads(stored) if isinstance(stored, str) else stored


@dataclass(slots=True)
class MessageState:
    """What the database holds about one message. ``files`` (role -> sha256 of the current
    files) and ``past_files`` (sha256 shown by earlier versions) stay None when empty: the
    state of every message is built, most have neither."""

    versions: list[Version]
    source: str
    deleted_at: int | None
    deleted_how: str | None
    files: dict[str, str] | None = None
    past_files: set[str] | None = None

    def links(self, role: str, sha256: str) -> bool:
        """Whether a version of the message showed the file ``sha256`` in ``role``."""
        if self.files is not None and self.files.get(role) == sha256:
            return True
        return self.past_files is not None and sha256 in self.past_files


@dataclass(frozen=True, slots=True)
class EventState:
    channel_id: int
    kind: str
    at: int
    detail: Any


class MessageStates(Mapping[MessageKey, MessageState]):
    """Every message's ``MessageState``, built on first access from its rows.

    ``verify``'s fast path reads most messages only through ``current`` (the row as read), so
    an archive of a million posts does not build a million states to check them.
    """

    def __init__(
        self,
        rows: dict[MessageKey, Any],
        revisions: dict[int, list[tuple[Any, ...]]],
        past_files: dict[int, set[str]],
        files: dict[int, dict[str, str]],
    ) -> None:
        self._rows = rows
        self.revised = revisions
        """Revisions ``(edit_date, text, entities, media_kind, captured_at)`` by message pk."""
        self._past = past_files
        self._files = files
        self._built: dict[MessageKey, MessageState] = {}

    def current(self, key: MessageKey) -> Any | None:
        """The message's row ``(pk, channel_id, msg_id, date, edit_date, text, entities,
        media_kind, captured_at, source, deleted_at, deleted_how)``, or None; ``text`` is
        its UTF-8 bytes (as in ``revised``; a ``Version``'s text is decoded)."""
        return self._rows.get(key)

    def __getitem__(self, key: MessageKey) -> MessageState:
        state = self._built.get(key)
        if state is None:
            pk, _, _, date, edited, text, ents, kind, at, source, gone, how = self._rows[key]
            versions = [Version(date, edited, _text(text), ents, kind, at, True)]
            versions += [
                Version(date, e, _text(t), n, k, a, False)
                for e, t, n, k, a in self.revised.get(pk, ())
            ]
            files, past = self._files.get(pk), self._past.get(pk)
            state = self._built[key] = MessageState(versions, source, gone, how, files, past)
        return state

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[MessageKey]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


async def message_states(source: RowSource, channel_ids: list[int] | None = None) -> MessageStates:
    """Every message (of ``channel_ids``, or all) with its versions and files."""
    query = sa.select(
        messages.c.id,
        messages.c.channel_id,
        messages.c.msg_id,
        messages.c.date,
        messages.c.edit_date,
        utf8(source, messages.c.text),
        sa.type_coerce(messages.c.entities, sa.Text),
        messages.c.media_kind,
        messages.c.captured_at,
        messages.c.source,
        messages.c.deleted_at,
        messages.c.deleted_how,
    )
    if channel_ids is not None:
        query = query.where(messages.c.channel_id.in_(channel_ids))
    rows = {(r[1], r[2]): r for r in await fetch_all(source, query)}
    revs = sa.select(
        message_revisions.c.message_id,
        message_revisions.c.edit_date,
        utf8(source, message_revisions.c.text),
        sa.type_coerce(message_revisions.c.entities, sa.Text),
        message_revisions.c.media_kind,
        message_revisions.c.captured_at,
        message_revisions.c.media_sha256,
    )
    revisions: dict[int, list[tuple[Any, ...]]] = {}
    past: dict[int, set[str]] = {}
    for owner_pk, edited, text, ents, kind, at, sha in await fetch_all(source, revs):
        revisions.setdefault(owner_pk, []).append((edited, text, ents, kind, at))
        if sha:
            past.setdefault(owner_pk, set()).add(sha)
    files: dict[int, dict[str, str]] = {}
    linked = sa.select(
        message_media.c.message_id, message_media.c.role, message_media.c.sha256
    ).where(message_media.c.sha256.is_not(None))
    for owner_pk, role, sha in await fetch_all(source, linked):
        files.setdefault(owner_pk, {})[role] = sha
    return MessageStates(rows, revisions, past, files)


async def event_states(conn: AsyncConnection) -> dict[int, EventState]:
    """Every channel event by id."""
    rows = await conn.execute(
        sa.select(events.c.id, events.c.channel_id, events.c.kind, events.c.at, events.c.detail)
    )
    return {r.id: EventState(r.channel_id, r.kind, r.at, r.detail) for r in rows}


async def file_keys(conn: AsyncConnection) -> dict[str, str]:
    """{sha256: media store key} of every stored file."""
    rows = await conn.execute(sa.select(media_files.c.sha256, media_files.c.path))
    return {r.sha256: r.path for r in rows}
