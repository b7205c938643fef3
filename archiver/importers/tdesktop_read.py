"""Pure reading of Telegram Desktop export messages into rows (the inverse of the exporter).

Both shapes of ``text`` are read; entity offsets are recomputed in UTF-16 units from the
parts. When the ``tgmirror`` key is present (our own exports) its exact values win; every
key this module does not know is kept in ``MessageRow.extra``. Bad values raise
``ImportFormatError`` naming the file and the message id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archiver.decimal_ids import parse_decimal_id
from archiver.errors import ImportFormatError
from archiver.exporters.tdesktop_fields import PRIVATE_PREFIX, SERVICE_COMMON
from archiver.importers import tdesktop_fields as fields
from archiver.importers.row_shapes import check_row
from archiver.importers.tdesktop_fields import read_int
from archiver.importers.tdesktop_media import is_placeholder, read_media
from archiver.importers.tdesktop_text import read_text
from archiver.rows import FileRow, MessageRow

# Keys rebuilt from columns on export. Every other key (sender and actor names and ids,
# via_bot, buttons ...) is kept in ``MessageRow.extra`` and written back as it was.
KNOWN_KEYS = {
    "id",
    "type",
    "date",
    "date_unixtime",
    "edited",
    "edited_unixtime",
    "author",
    "forwarded_from_id",
    "reply_to_message_id",
    "reply_to_peer_id",
    "media_type",
    "file",
    "file_name",
    "file_size",
    "thumbnail",
    "thumbnail_file_size",
    "photo",
    "photo_file_size",
    "width",
    "height",
    "mime_type",
    "duration_seconds",
    "sticker_emoji",
    "poll",
    "location_information",
    "place_name",
    "address",
    "contact_information",
    "action",
    "title",
    "message_id",
    "reactions",
    "text",
    "text_entities",
    "performer",
    "tgmirror",
    "media_spoiler",
}


@dataclass(frozen=True, slots=True)
class ImportedMessage:
    row: MessageRow
    source: str | None  # relative path of the main file in the export, if included
    deleted_at: int | None
    deleted_how: str | None
    revisions: list[dict[str, Any]]
    thumb_source: str | None = None  # relative path of the document's thumbnail, if included


def _date(msg: dict[str, Any], where: str, fallback: int | None, offset: int | None) -> int:
    """``date_unixtime``; exports before it existed have only ``date`` in local time."""
    if msg.get("date_unixtime") is None and isinstance(msg.get("date"), str):
        return fields.local_time(msg["date"], offset, where, "date")
    if msg.get("date_unixtime") is None and fallback is not None:
        return fallback
    return read_int(msg.get("date_unixtime"), where, "date_unixtime", required=True) or 0


def read_message(
    msg: Any,
    channel_id: int,
    where_file: str,
    fallback_date: int = 0,
    offset: int | None = None,
) -> ImportedMessage:
    """One Desktop message as a row, with its file path and our history if present.

    ``fallback_date`` dates an ``unsupported`` message, which Desktop writes without one;
    ``offset`` (seconds east of UTC, ``fields.chat_offset``) reads a local time that has no
    unixtime beside it, else this machine's zone is assumed, as Desktop wrote in its own.
    """
    if not isinstance(msg, dict):
        raise ImportFormatError(f"{where_file}: a message is not an object")
    msg_id = read_int(msg.get("id"), f"{where_file}: a message", "id", required=True)
    where = f"{where_file}: message {msg_id}"
    try:
        imported = _read(msg, channel_id, msg_id or 0, where, fallback_date, offset)
    except (TypeError, AttributeError, ValueError, KeyError, OverflowError) as exc:
        raise ImportFormatError(f"{where}: a value has an unexpected shape ({exc})") from exc
    check_row(imported.row, imported.revisions, (imported.deleted_at, imported.deleted_how), where)
    return imported


def _edit_date(msg: dict[str, Any], where: str, offset: int | None) -> int | None:
    if msg.get("edited_unixtime") is None and msg.get("edited") is not None:
        return fields.local_time(msg["edited"], offset, where, "edited")
    return read_int(msg.get("edited_unixtime"), where, "edited_unixtime")


def _extra(
    msg: dict[str, Any], known: Any, paths: dict[str, Any], channel_id: int
) -> dict[str, Any] | None:
    """Keys with no column, kept to be written back; the original file paths beside them.

    A sender or actor id that is the channel itself is what the exporter writes anyway.
    """
    own = f"channel{channel_id}"
    extra = {
        k: v
        for k, v in msg.items()
        if k not in known and not (k in ("from_id", "actor_id") and v == own)
    }
    if paths:
        extra[PRIVATE_PREFIX + "paths"] = paths
    return extra or None


def _read(
    msg: dict[str, Any],
    channel_id: int,
    msg_id: int,
    where: str,
    fallback_date: int,
    offset: int | None,
) -> ImportedMessage:
    kind = msg.get("type", "message")
    if kind not in ("message", "service", "unsupported"):
        raise ImportFormatError(f"{where}: type must be 'message' or 'service', got {kind!r}")
    ours: dict[str, Any] = msg["tgmirror"] if isinstance(msg.get("tgmirror"), dict) else {}
    if kind == "unsupported" and isinstance(ours.get("date"), int):
        fallback_date = ours["date"]
    date = _date(msg, where, fallback_date if kind == "unsupported" else None, offset)
    if kind == "unsupported":  # Desktop writes only the id of a message it cannot export
        row = MessageRow(
            channel_id=channel_id,
            msg_id=msg_id,
            date=date,
            source="import",
            media_kind="unsupported",
            media={"type": "unsupported"},
        )
        return ImportedMessage(row, None, None, None, [])
    text, entities = read_text(msg.get("text", ""), where)
    if "entities" in ours:
        entities = ours["entities"]
    from_id = msg.get("from_id")
    sender = (
        parse_decimal_id(from_id[4:])
        if isinstance(from_id, str) and from_id.startswith("user")
        else None
    )
    reply = read_int(msg.get("reply_to_message_id"), where, "reply_to_message_id")
    paths = {
        role: msg[key]
        for role, key in (("main", "photo" if "photo" in msg else "file"), ("thumb", "thumbnail"))
        if key in msg
    }
    common: dict[str, Any] = {
        "channel_id": channel_id,
        "msg_id": msg_id,
        "date": date,
        "text": text,
        "entities": entities,
        "from_id": sender,
        "source": "import",
        "edit_date": _edit_date(msg, where, offset),
        "reactions": ours.get("reactions") or _reactions(msg.get("reactions")),
    }
    if kind == "service":
        action = ours.get("action") or fields.service_action(msg)
        pinned = read_int(msg.get("message_id"), where, "message_id")
        photo: tuple[FileRow, ...] = ()
        source = None
        if "photo" in msg:  # edit_group_photo and suggest_profile_photo carry the photo
            _, _, photo, source = read_media(msg, where)
        row = MessageRow(
            **common,
            action=action,
            reply_to_msg_id=pinned or reply,
            reply_to=ours.get("reply_to"),
            files=photo,
            extra=_extra(
                msg,
                KNOWN_KEYS
                | set(action)
                | SERVICE_COMMON - {"actor", "actor_id", "from", "from_id"},
                paths,
                channel_id,
            ),
        )
        return ImportedMessage(row, source, ours.get("deleted_at"), ours.get("deleted_how"), [])
    media_kind, media, files, source = read_media(msg, where)
    row = MessageRow(
        **common,
        media_kind=media_kind,
        media=media,
        files=files,
        grouped_id=ours.get("grouped_id"),
        reply_to_msg_id=reply,
        reply_to=ours.get("reply_to") or fields.reply_to(msg, reply),
        fwd_from=ours.get("fwd_from") or fields.fwd_from(msg),
        views=ours.get("views"),
        forwards=ours.get("forwards"),
        post_author=msg.get("author"),
        extra=_extra(msg, KNOWN_KEYS, paths, channel_id),
    )
    revisions: list[dict[str, Any]] = (
        ours["revisions"] if isinstance(ours.get("revisions"), list) else []
    )
    thumb = None if is_placeholder(msg.get("thumbnail")) else msg["thumbnail"]
    return ImportedMessage(
        row, source, ours.get("deleted_at"), ours.get("deleted_how"), revisions, thumb
    )


def _reactions(reactions: Any) -> list[dict[str, Any]] | None:
    out = []
    for r in reactions if isinstance(reactions, list) else []:
        if not isinstance(r, dict):
            continue
        one: dict[str, Any]
        if r.get("type") == "emoji":
            one = {"emoji": r.get("emoji"), "count": r.get("count", 0)}
        elif r.get("type") == "custom_emoji" and str(r.get("document_id", "")).isdigit():
            one = {"custom_emoji_id": int(r["document_id"]), "count": r.get("count", 0)}
        elif r.get("type") == "paid":
            one = {"paid": True, "count": r.get("count", 0)}
        else:
            continue
        if isinstance(r.get("recent"), list) and r["recent"]:
            one["recent"] = r["recent"]
        out.append(one)
    return out or None
