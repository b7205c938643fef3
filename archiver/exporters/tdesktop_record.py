"""Pure conversion between stored posts and Telegram Desktop's export JSON (result.json).

Follows Desktop's "machine-readable JSON" export: ``text`` is a plain string when the message
has no formatting and otherwise an array mixing strings and entity objects; ``text_entities``
is always the array of typed parts; media keys depend on the kind (``photo`` for photos,
``file`` + ``media_type`` for the rest). ``date`` is in ``export.timezone`` (Desktop uses the
exporting computer's zone; docs/export-format.md). Keys read from a Desktop export that have no
column (sender names, ``via_bot``, buttons ...) are kept in ``messages.extra`` and written back
as they were, as are the original file paths. What Desktop's format cannot carry — edit
history, deletion tombstones, capture times, our exact media details — goes under the
``tgmirror`` key, which Desktop readers ignore and our importer reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

from archiver.exporters.tdesktop_fields import (
    ACTIONS,
    PRIVATE_PREFIX,
    action_keys,
    desktop_date,
    forward_keys,
    reply_peer_key,
    safe_relative,
)
from archiver.store.posts import Post, Revision

__all__ = ["ACTIONS", "MediaCopy", "desktop_date", "message_record", "text_parts", "text_value"]

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"

ENTITY_NAMES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strike": "strikethrough",
    "code": "code",
    "pre": "pre",
    "text_url": "text_link",
    "url": "link",
    "email": "email",
    "phone": "phone",
    "mention": "mention",
    "mention_name": "mention_name",
    "hashtag": "hashtag",
    "cashtag": "cashtag",
    "bot_command": "bot_command",
    "spoiler": "spoiler",
    "blockquote": "blockquote",
    "custom_emoji": "custom_emoji",
    "bank_card": "bank_card",
    "unknown": "unknown",
}
FROM_DESKTOP = {v: k for k, v in ENTITY_NAMES.items()}

MEDIA_TYPES = {
    "video": "video_file",
    "gif": "animation",
    "round": "video_message",
    "voice": "voice_message",
    "audio": "audio_file",
    "sticker": "sticker",
}
FOLDERS = {
    "photo": "photos",
    "video": "video_files",
    "gif": "video_files",
    "round": "round_video_messages",
    "voice": "voice_messages",
    "audio": "files",
    "sticker": "stickers",
    "document": "files",
}


@dataclass(frozen=True, slots=True)
class MediaCopy:
    """A stored file to copy into the export: from the store to ``target`` (relative)."""

    store_path: str
    target: str


def _units(text: str) -> str | bytes:
    """The text indexable by UTF-16 unit: itself when it has no characters beyond the BMP,
    else its UTF-16 encoding (two bytes a unit), sliced in C rather than char by char."""
    if not text or max(text) <= "\uffff":
        return text
    return text.encode("utf-16-le", "surrogatepass")


def _length(units: str | bytes) -> int:
    return len(units) // 2 if isinstance(units, bytes) else len(units)


def _cut(units: str | bytes, start: int, end: int) -> str:
    if isinstance(units, bytes):
        return units[2 * start : 2 * end].decode("utf-16-le", "replace")
    return units[start:end]


def text_parts(text: str, entities: Any) -> list[dict[str, Any]]:
    """Desktop's ``text_entities``: the text cut into typed parts (UTF-16 offsets honoured).

    Exactly as Desktop's ParseText (export_data_types.cpp): entities are taken in their
    stored order, and one that starts before the end of the previous part (nested or
    overlapping: bold inside italic, an underlined link) is left out, as Desktop leaves it
    out. The ``tgmirror`` key keeps every entity, so our own importer loses none.
    """
    if not entities:
        return [{"type": "plain", "text": text}] if text else []
    units = _units(text or "")
    size = _length(units)
    parts: list[dict[str, Any]] = []
    pos = 0
    for e in entities or []:
        if not isinstance(e, dict) or not isinstance(e.get("length"), int):
            continue
        start, length = e.get("offset", 0), e["length"]
        if not isinstance(start, int) or start < pos or length <= 0 or start + length > size:
            continue
        if start > pos:
            parts.append({"type": "plain", "text": _cut(units, pos, start)})
        parts.append(_entity_part(e, _cut(units, start, start + length)))
        pos = start + length
    if pos < size:
        parts.append({"type": "plain", "text": _cut(units, pos, size)})
    return parts


def _entity_part(e: dict[str, Any], text: str) -> dict[str, Any]:
    """One typed part, with the one extra key Desktop writes for its type."""
    kind = e.get("type")
    part: dict[str, Any] = {"type": ENTITY_NAMES.get(str(kind), "unknown"), "text": text}
    if kind == "text_url":
        part["href"] = e.get("url", "")
    elif kind == "pre":
        part["language"] = e.get("language", "")
    elif kind == "mention_name":
        part["user_id"] = e.get("user_id")
    elif kind == "custom_emoji":
        part["document_id"] = str(e.get("document_id", ""))
    elif kind == "blockquote":
        part["collapsed"] = bool(e.get("collapsed"))
    return part


def text_value(parts: list[dict[str, Any]]) -> str | list[Any]:
    """Desktop's ``text``: a string if everything is plain, else strings mixed with objects."""
    if all(p["type"] == "plain" for p in parts):
        return "".join(p["text"] for p in parts)
    return [p["text"] if p["type"] == "plain" else p for p in parts]


def _reactions(reactions: Any) -> list[dict[str, Any]]:
    out = []
    for r in reactions or []:
        if "emoji" in r:
            one = {"type": "emoji", "count": r["count"], "emoji": r["emoji"]}
        elif "custom_emoji_id" in r:
            one = {
                "type": "custom_emoji",
                "count": r["count"],
                "document_id": str(r["custom_emoji_id"]),
            }
        elif r.get("paid"):
            one = {"type": "paid", "count": r["count"]}
        else:
            continue
        if r.get("recent"):  # who reacted, as a Desktop export of a small chat lists them
            one["recent"] = r["recent"]
        out.append(one)
    return out


def _folder(kind: str, media: dict[str, Any]) -> str:
    # Desktop's DocumentFolder tests the video attribute first: video stickers go with videos.
    if kind == "sticker" and media.get("format") == "webm":
        return "video_files"
    return FOLDERS.get(kind, "files")


def _file_target(post: Post, kind: str, ext: str) -> str:
    main = post.main_file
    name = (main.file_name if main and main.file_name else None) or f"{kind}_{post.msg_id}{ext}"
    safe = "".join(ch for ch in name if ch not in "/\\:\x00") or f"file_{post.msg_id}"
    return f"{_folder(kind, post.media or {})}/{post.msg_id}_{safe}"


def _original_paths(post: Post) -> dict[str, Any]:
    """The paths (or Desktop's sentence for a file left out) an imported export gave."""
    paths = (
        (post.extra or {}).get(PRIVATE_PREFIX + "paths") if isinstance(post.extra, dict) else None
    )
    return paths if isinstance(paths, dict) else {}


def _absent(original: Any) -> str:
    """Desktop's sentence for a file not in the export: the imported one, else ours."""
    return original if isinstance(original, str) and original.startswith("(") else NOT_INCLUDED


def _thumb_keys(post: Post, path: str, with_media: bool) -> tuple[dict[str, Any], list[MediaCopy]]:
    """Desktop's ``thumbnail``: the document's path + ``_thumb.jpg``, or why it is missing.

    Desktop writes the thumbnail of a document even when it leaves the document out (a video
    over the size limit still has its poster), so the two are independent here too.
    """
    thumb = post.thumb_file
    if thumb is None:
        return {}, []
    original = _original_paths(post).get("thumb")
    out: dict[str, Any] = {"thumbnail": _absent(original)}
    copies: list[MediaCopy] = []
    if with_media and thumb.status == "stored" and thumb.path:
        beside = (
            f"{path}_thumb.jpg"
            if path != NOT_INCLUDED and not path.startswith("(")
            else f"{_file_target(post, post.media_kind or 'document', '')}_thumb.jpg"
        )
        out["thumbnail"] = safe_relative(original) or beside
        copies.append(MediaCopy(thumb.path, out["thumbnail"]))
    if thumb.size is not None:
        out["thumbnail_file_size"] = thumb.size
    return out, copies


def _main_path(post: Post, with_media: bool, ext: str) -> tuple[str, list[MediaCopy]]:
    main, kind = post.main_file, post.media_kind or "document"
    original = _original_paths(post).get("main")
    if with_media and main is not None and main.status == "stored" and main.path:
        path = safe_relative(original) or _file_target(post, kind, ext)
        return path, [MediaCopy(main.path, path)]
    return _absent(original), []


def _shape_keys(post: Post, media: dict[str, Any]) -> dict[str, Any]:
    """``width`` and ``height`` (Desktop writes them only both known), ``media_spoiler``."""
    main = post.main_file
    out: dict[str, Any] = {}
    width = (main.width if main else None) or media.get("width")
    height = (main.height if main else None) or media.get("height")
    if width and height:
        out.update(width=width, height=height)
    if media.get("spoiler"):
        out["media_spoiler"] = True
    return out


def photo_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    """Desktop's pushPhoto: ``photo``, ``photo_file_size``, ``width`` and ``height``."""
    main, media = post.main_file, post.media if isinstance(post.media, dict) else {}
    path, copies = _main_path(post, with_media, ext)
    out: dict[str, Any] = {"photo": path}
    if main is not None and main.size is not None:
        out["photo_file_size"] = main.size
    out.update(_shape_keys(post, media))
    return out, copies


def _file_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    kind, media, main = post.media_kind or "document", post.media or {}, post.main_file
    if kind == "photo":
        return photo_keys(post, with_media, ext)
    path, copies = _main_path(post, with_media, ext)
    out: dict[str, Any] = {"file": path}
    if main is not None and main.file_name:
        out["file_name"] = main.file_name
    if main is not None and main.size is not None:
        out["file_size"] = main.size
    thumb_keys, thumb_copies = _thumb_keys(post, path, with_media)
    out.update(thumb_keys)
    copies.extend(thumb_copies)
    if kind in MEDIA_TYPES:
        out["media_type"] = MEDIA_TYPES[kind]
    if kind == "sticker" and media.get("emoji"):
        out["sticker_emoji"] = media["emoji"]
    if kind == "audio":
        out.update({k: media[k] for k in ("performer", "title") if media.get(k)})
    mime = (main.mime if main else None) or media.get("mime")
    if mime:
        out["mime_type"] = mime
    duration = (
        media.get("duration")
        if media.get("duration") is not None
        else (main.duration if main else None)
    )
    if duration:
        out["duration_seconds"] = int(duration)
    out.update(_shape_keys(post, media))
    return out, copies


def _other_keys(kind: str | None, media: dict[str, Any]) -> dict[str, Any]:
    if kind == "poll":
        votes = {r["option"]: r.get("voters", 0) for r in media.get("results") or []}
        # A formatted question or answer (newer Desktop writes text arrays) keeps its parts.
        return {
            "poll": {
                "question": media.get("question_parts", media.get("question", "")),
                "closed": bool(media.get("closed")),
                "total_voters": media.get("total_voters", 0),
                "answers": [
                    {
                        "text": a.get("text_parts", a.get("text", "")),
                        "voters": votes.get(a.get("option"), 0),
                        "chosen": bool(a.get("chosen")),
                    }
                    for a in media.get("answers", [])
                ],
            }
        }
    if kind in ("geo", "geolive", "venue"):
        place = {"latitude": media.get("lat"), "longitude": media.get("long")}
        out: dict[str, Any] = {"location_information": place}
        if kind == "venue":
            out["place_name"] = media.get("title", "")
            out["address"] = media.get("address", "")
        return out
    if kind == "contact":
        return {
            "contact_information": {
                "first_name": media.get("first_name") or "",
                "last_name": media.get("last_name") or "",
                "phone_number": media.get("phone") or "",
            }
        }
    return {}


def _media_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    if post.media_kind in FOLDERS:
        return _file_keys(post, with_media, ext)
    return _other_keys(post.media_kind, post.media or {}), []


def _revision(r: Revision) -> dict[str, Any]:
    return {
        "captured_at": r.captured_at,
        "superseded_at": r.superseded_at,
        "edit_date": r.edit_date,
        "text": r.text,
        "entities": r.entities,
        "media_kind": r.media_kind,
        "media": r.media,
    }


def message_record(
    post: Post,
    chat_name: str,
    revisions: list[Revision],
    *,
    with_media: bool = True,
    ext: str = "",
    zone: tzinfo | None = UTC,
) -> tuple[dict[str, Any], list[MediaCopy]]:
    """One Desktop message (with our ``tgmirror`` additions) and the files it needs.

    ``zone`` is the time zone of ``date`` and ``edited`` (None: this machine's).
    """
    peer = f"channel{post.channel_id}"
    record: dict[str, Any] = {
        "id": post.msg_id,
        "type": "service" if post.action else "message",
        "date": desktop_date(post.date, zone),
        "date_unixtime": str(post.date),
    }
    if post.edit_date:
        record["edited"] = desktop_date(post.edit_date, zone)
        record["edited_unixtime"] = str(post.edit_date)
    copies: list[MediaCopy] = []
    if post.action:
        record["actor"] = chat_name
        record["actor_id"] = peer
        record.update(action_keys(post.action, post.reply_to_msg_id))
        if post.main_file is not None:  # the new photo of edit_group_photo
            photo, copies = photo_keys(post, with_media, ext)
            record.update(photo)
    else:
        # Desktop writes the sender's name, null when unknown: we know only the channel's.
        record["from"] = None if post.from_id else chat_name
        record["from_id"] = f"user{post.from_id}" if post.from_id else peer
        if post.post_author:
            record["author"] = post.post_author
        if isinstance(post.fwd_from, dict):
            record.update(forward_keys(post.fwd_from))
        if post.reply_to_msg_id:
            record["reply_to_message_id"] = post.reply_to_msg_id
            record.update(reply_peer_key(post.reply_to, post.channel_id))
        media_keys, copies = _media_keys(post, with_media, ext)
        record.update(media_keys)
    if isinstance(post.extra, dict):  # Desktop's keys that have no column, as imported
        record.update((k, v) for k, v in post.extra.items() if not k.startswith(PRIVATE_PREFIX))
    parts = text_parts(post.text, post.entities)
    record["text"] = text_value(parts)
    record["text_entities"] = parts
    if post.reactions:
        record["reactions"] = _reactions(post.reactions)
    ours: dict[str, Any] = {
        "first_seen_at": post.first_seen_at,
        "captured_at": post.captured_at,
        "entities": post.entities,
        "media_kind": post.media_kind,
        "media": post.media,
        "views": post.views,
        "forwards": post.forwards,
        "grouped_id": post.grouped_id,
        "fwd_from": post.fwd_from,
        "reply_to": post.reply_to,
        "action": post.action,
        "reactions": post.reactions,
        "files": [
            {
                "role": f.role,
                "kind": f.kind,
                "mime": f.mime,
                "size": f.size,
                "file_name": f.file_name,
                "width": f.width,
                "height": f.height,
                "duration": f.duration,
                "sha256": f.sha256,
            }
            for f in post.files
        ],
    }
    if post.deleted_at:
        ours["deleted_at"] = post.deleted_at
        ours["deleted_how"] = post.deleted_how
    if revisions:
        ours["revisions"] = [_revision(r) for r in revisions]
    if post.media_kind == "unsupported" and not post.action:
        # Desktop writes only the id of a message it cannot export; our key keeps its date.
        record = {"id": post.msg_id, "type": "unsupported"}
        ours["date"] = post.date
    record["tgmirror"] = ours
    return record, copies
