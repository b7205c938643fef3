"""The archive rows the capture log describes, read in bulk for ``tgmirror verify``.

One query per table, not per capture: verification runs at tens of thousands of captures a
second only if the rows come in a few large reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import events, media_files, message_media, message_revisions, messages

MessageKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version of a message: the current row, or a revision."""

    date: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    captured_at: int
    current: bool


@dataclass(slots=True)
class MessageState:
    """What the database holds about one message."""

    versions: list[Version] = field(default_factory=list)
    source: str = "telegram"
    deleted_at: int | None = None
    deleted_how: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # role -> sha256 of current files
    past_files: set[str] = field(default_factory=set)  # sha256 shown by earlier versions


@dataclass(frozen=True, slots=True)
class EventState:
    channel_id: int
    kind: str
    at: int
    detail: Any


async def message_states(
    conn: AsyncConnection, channel_ids: list[int] | None = None
) -> dict[MessageKey, MessageState]:
    """Every message (of ``channel_ids``, or all) with its versions and files."""
    states: dict[MessageKey, MessageState] = {}
    key_of: dict[int, MessageKey] = {}
    query = sa.select(
        messages.c.id, messages.c.channel_id, messages.c.msg_id, messages.c.date,
        messages.c.edit_date, messages.c.text, messages.c.entities, messages.c.media_kind,
        messages.c.captured_at, messages.c.source, messages.c.deleted_at, messages.c.deleted_how,
    )  # fmt: skip
    if channel_ids is not None:
        query = query.where(messages.c.channel_id.in_(channel_ids))
    dates: dict[int, int] = {}
    for r in await conn.execute(query):
        key = (r.channel_id, r.msg_id)
        key_of[r.id] = key
        dates[r.id] = r.date
        state = MessageState(source=r.source, deleted_at=r.deleted_at, deleted_how=r.deleted_how)
        state.versions.append(
            Version(r.date, r.edit_date, r.text, r.entities, r.media_kind, r.captured_at, True)
        )
        states[key] = state
    revs = sa.select(
        message_revisions.c.message_id, message_revisions.c.edit_date, message_revisions.c.text,
        message_revisions.c.entities, message_revisions.c.media_kind,
        message_revisions.c.captured_at, message_revisions.c.media_sha256,
    )  # fmt: skip
    for v in await conn.execute(revs):
        owner = key_of.get(v.message_id)
        if owner is None:
            continue
        state = states[owner]
        date = dates[v.message_id]
        state.versions.append(
            Version(date, v.edit_date, v.text, v.entities, v.media_kind, v.captured_at, False)
        )
        if v.media_sha256:
            state.past_files.add(v.media_sha256)
    files = sa.select(message_media.c.message_id, message_media.c.role, message_media.c.sha256)
    for f in await conn.execute(files.where(message_media.c.sha256.is_not(None))):
        linked = key_of.get(f.message_id)
        if linked is not None:
            states[linked].files[f.role] = f.sha256
    return states


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
