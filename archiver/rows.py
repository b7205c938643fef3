"""The rows tgmirror passes between Telegram conversion, the store, the web app and exporters.

They mirror the tables of ``archiver.db.schema`` (see the column comments there for the JSON
shapes). Conversion from Telethon objects produces them; ``archiver.store`` writes and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = Any  # a JSON-serialisable value (dict, list, str, int, float, bool or None)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """What Telegram tells us about a channel (or a discussion group)."""

    id: int
    access_hash: int | None
    title: str
    username: str | None = None
    about: str | None = None  # None: not fetched this time (keep the stored value)
    kind: str = "channel"  # channel | megagroup | discussion
    linked_chat_id: int | None = None
    participants: int | None = None
    created_date: int | None = None
    restriction: Json = None
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class FileRow:
    """A downloadable file of a message, as Telegram describes it (before download)."""

    kind: str  # photo video gif round voice audio document sticker
    role: str = "main"  # main | thumb
    tg_file_id: int | None = None
    file_name: str | None = None
    mime: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One channel post (or comment, or service message), as converted from Telegram."""

    channel_id: int
    msg_id: int
    date: int
    text: str = ""
    edit_date: int | None = None
    entities: Json = None
    media_kind: str | None = None
    media: Json = None
    grouped_id: int | None = None
    reply_to_msg_id: int | None = None
    reply_to: Json = None
    fwd_from: Json = None
    views: int | None = None
    forwards: int | None = None
    replies: int | None = None
    reactions: Json = None
    post_author: str | None = None
    from_id: int | None = None
    action: Json = None
    thread_channel_id: int | None = None
    thread_msg_id: int | None = None
    raw: bytes | None = None
    files: tuple[FileRow, ...] = ()
    source: str = "telegram"
    extra: Json = None


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What ``store.messages.save_messages`` did with a batch."""

    inserted: int = 0
    edited: int = 0
    unchanged: int = 0
    new_ids: tuple[int, ...] = field(default=())  # Telegram msg_ids inserted


NOT_PREVIEWED = "not_previewed"
"""``media.type`` of a post t.me shows but cannot render ("Please open Telegram to view this
post"): ``media_kind`` is ``unsupported``. Such a row is a placeholder that a capture with the
content replaces (see ``store.messages.save_messages``)."""


def is_placeholder(media_kind: str | None, media: Json) -> bool:
    """Whether a stored or captured version is a t.me placeholder (see ``NOT_PREVIEWED``)."""
    return (
        media_kind == "unsupported"
        and isinstance(media, dict)
        and media.get("type") == NOT_PREVIEWED
    )
