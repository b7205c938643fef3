"""Pure conversion between stored posts and Telegram Desktop's export JSON (result.json).

Follows Desktop's "machine-readable JSON" export: ``text`` is a plain string when the message
has no formatting and otherwise an array mixing strings and entity objects; ``text_entities``
is always the array of typed parts; media keys depend on the kind (``photo`` for photos,
``file`` + ``media_type`` for the rest). Dates are written in UTC (Desktop uses the exporting
computer's local time; docs/export-format.md). What Desktop's format cannot carry — edit
history, deletion tombstones, capture times, our exact media details — goes under the
``tgmirror`` key, which Desktop readers ignore and our importer reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from archiver.store.posts import Post, Revision

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"

ENTITY_NAMES = {
    "bold": "bold", "italic": "italic", "underline": "underline", "strike": "strikethrough",
    "code": "code", "pre": "pre", "text_url": "text_link", "url": "link", "email": "email",
    "phone": "phone", "mention": "mention", "mention_name": "mention_name",
    "hashtag": "hashtag", "cashtag": "cashtag", "bot_command": "bot_command",
    "spoiler": "spoiler", "blockquote": "blockquote", "custom_emoji": "custom_emoji",
    "bank_card": "bank_card", "unknown": "unknown",
}  # fmt: skip
FROM_DESKTOP = {v: k for k, v in ENTITY_NAMES.items()}

MEDIA_TYPES = {
    "video": "video_file", "gif": "animation", "round": "video_message",
    "voice": "voice_message", "audio": "audio_file", "sticker": "sticker",
}  # fmt: skip
FOLDERS = {
    "photo": "photos", "video": "video_files", "gif": "video_files", "round":
    "round_video_messages", "voice": "voice_messages", "audio": "files", "sticker": "stickers",
    "document": "files",
}  # fmt: skip
ACTIONS = {
    "channel_create": "create_channel", "chat_edit_title": "edit_group_title",
    "chat_edit_photo": "edit_group_photo", "chat_delete_photo": "delete_group_photo",
    "pin_message": "pin_message",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MediaCopy:
    """A stored file to copy into the export: from the store to ``target`` (relative)."""

    store_path: str
    target: str


def desktop_date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S")


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
    """Desktop's ``text_entities``: the text cut into typed parts (UTF-16 offsets honoured)."""
    if not entities:
        return [{"type": "plain", "text": text}] if text else []
    units = _units(text or "")
    spans = sorted(
        (e for e in entities or [] if isinstance(e, dict) and e.get("length", 0) > 0),
        key=lambda e: e.get("offset", 0),
    )
    parts: list[dict[str, Any]] = []
    pos = 0
    for e in spans:
        start = max(e.get("offset", 0), pos)
        end = min(e.get("offset", 0) + e["length"], _length(units))
        if start >= end:
            continue  # nested or overlapping entities: Desktop's format is flat
        if start > pos:
            parts.append({"type": "plain", "text": _cut(units, pos, start)})
        part: dict[str, Any] = {"type": ENTITY_NAMES.get(str(e.get("type")), "unknown"),
                                "text": _cut(units, start, end)}  # fmt: skip
        if e.get("type") == "text_url":
            part["href"] = e.get("url", "")
        if e.get("type") == "pre":
            part["language"] = e.get("language", "")
        if e.get("type") == "mention_name":
            part["user_id"] = e.get("user_id")
        if e.get("type") == "custom_emoji":
            part["document_id"] = str(e.get("document_id", ""))
        if e.get("type") == "blockquote" and e.get("collapsed"):
            part["collapsed"] = True
        parts.append(part)
        pos = end
    if pos < _length(units):
        parts.append({"type": "plain", "text": _cut(units, pos, _length(units))})
    return parts


def text_value(parts: list[dict[str, Any]]) -> str | list[Any]:
    """Desktop's ``text``: a string if everything is plain, else strings mixed with objects."""
    if all(p["type"] == "plain" for p in parts):
        return "".join(p["text"] for p in parts)
    return [p["text"] if p["type"] == "plain" else p for p in parts]


def _reactions(reactions: Any) -> list[dict[str, Any]]:
    out = []
    for r in reactions or []:
        if "emoji" in r:
            out.append({"type": "emoji", "count": r["count"], "emoji": r["emoji"]})
        elif "custom_emoji_id" in r:
            out.append({"type": "custom_emoji", "count": r["count"],
                        "document_id": str(r["custom_emoji_id"])})  # fmt: skip
        elif r.get("paid"):
            out.append({"type": "paid", "count": r["count"]})
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


def _thumb_keys(post: Post, path: str, with_media: bool) -> tuple[dict[str, Any], list[MediaCopy]]:
    """Desktop's ``thumbnail``: the document's path + ``_thumb.jpg``, or why it is missing."""
    thumb = post.thumb_file
    if thumb is None:
        return {}, []
    out: dict[str, Any] = {"thumbnail": NOT_INCLUDED}
    copies: list[MediaCopy] = []
    if with_media and path != NOT_INCLUDED and thumb.status == "stored" and thumb.path:
        out["thumbnail"] = f"{path}_thumb.jpg"
        copies.append(MediaCopy(thumb.path, out["thumbnail"]))
    if thumb.size:
        out["thumbnail_file_size"] = thumb.size
    return out, copies


def _file_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    kind, media, main = post.media_kind or "document", post.media or {}, post.main_file
    out: dict[str, Any] = {}
    copies: list[MediaCopy] = []
    path = NOT_INCLUDED
    if with_media and main is not None and main.status == "stored" and main.path:
        path = _file_target(post, kind, ext)
        copies.append(MediaCopy(main.path, path))
    if kind == "photo":
        out["photo"] = path
    else:
        out["file"] = path
        if main is not None and main.file_name:
            out["file_name"] = main.file_name
        if kind in MEDIA_TYPES:
            out["media_type"] = MEDIA_TYPES[kind]
        if kind == "sticker" and media.get("emoji"):
            out["sticker_emoji"] = media["emoji"]
        out["mime_type"] = (main.mime if main else None) or media.get("mime") or ""
        if media.get("duration") is not None:
            out["duration_seconds"] = int(media["duration"])
    if main is not None and main.size:
        out["photo_file_size" if kind == "photo" else "file_size"] = main.size
    if kind != "photo":
        thumb_keys, thumb_copies = _thumb_keys(post, path, with_media)
        out.update(thumb_keys)
        copies.extend(thumb_copies)
    width = (main.width if main else None) or media.get("width")
    if width:
        out["width"] = width
        out["height"] = (main.height if main else None) or media.get("height")
    if kind == "audio":
        out.update({k: media[k] for k in ("performer", "title") if media.get(k)})
    if media.get("spoiler"):
        out["media_spoiler"] = True
    return out, copies


def _other_keys(kind: str | None, media: dict[str, Any]) -> dict[str, Any]:
    if kind == "poll":
        votes = {r["option"]: r.get("voters", 0) for r in media.get("results") or []}
        return {"poll": {
            "question": media.get("question", ""), "closed": bool(media.get("closed")),
            "total_voters": media.get("total_voters", 0),
            "answers": [{"text": a.get("text", ""), "voters": votes.get(a.get("option"), 0),
                         "chosen": False} for a in media.get("answers", [])],
        }}  # fmt: skip
    if kind in ("geo", "geolive", "venue"):
        place = {"latitude": media.get("lat"), "longitude": media.get("long")}
        out: dict[str, Any] = {"location_information": place}
        if kind == "venue":
            out["place_name"] = media.get("title", "")
            out["address"] = media.get("address", "")
        return out
    if kind == "contact":
        return {"contact_information": {
            "first_name": media.get("first_name") or "", "last_name": media.get("last_name") or "",
            "phone_number": media.get("phone") or "",
        }}  # fmt: skip
    return {}


def _media_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    if post.media_kind in FOLDERS:
        return _file_keys(post, with_media, ext)
    return _other_keys(post.media_kind, post.media or {}), []


def _revision(r: Revision) -> dict[str, Any]:
    return {"captured_at": r.captured_at, "superseded_at": r.superseded_at,
            "edit_date": r.edit_date, "text": r.text, "entities": r.entities,
            "media_kind": r.media_kind, "media": r.media}  # fmt: skip


def message_record(
    post: Post,
    chat_name: str,
    revisions: list[Revision],
    *,
    with_media: bool = True,
    ext: str = "",
) -> tuple[dict[str, Any], list[MediaCopy]]:
    """One Desktop message (with our ``tgmirror`` additions) and the files it needs."""
    peer = f"channel{post.channel_id}"
    record: dict[str, Any] = {
        "id": post.msg_id, "type": "service" if post.action else "message",
        "date": desktop_date(post.date), "date_unixtime": str(post.date),
    }  # fmt: skip
    copies: list[MediaCopy] = []
    if post.action:
        record["actor"] = chat_name
        record["actor_id"] = peer
        record["action"] = ACTIONS.get(post.action.get("type"), post.action.get("type"))
        if post.action.get("title"):
            record["title"] = post.action["title"]
        if post.action.get("type") == "pin_message" and post.reply_to_msg_id:
            record["message_id"] = post.reply_to_msg_id
    else:
        if post.edit_date:
            record["edited"] = desktop_date(post.edit_date)
            record["edited_unixtime"] = str(post.edit_date)
        # Desktop writes the sender's name, null when unknown: we know only the channel's.
        record["from"] = None if post.from_id else chat_name
        record["from_id"] = f"user{post.from_id}" if post.from_id else peer
        if post.post_author:
            record["author"] = post.post_author
        if post.fwd_from:
            fwd = post.fwd_from
            record["forwarded_from"] = (
                fwd.get("from_name")
                or fwd.get("post_author")
                or (f"{fwd.get('from_type')} {fwd.get('from_id')}" if fwd.get("from_id") else None)
            )
        if post.reply_to_msg_id:
            record["reply_to_message_id"] = post.reply_to_msg_id
        media_keys, copies = _media_keys(post, with_media, ext)
        record.update(media_keys)
    parts = text_parts(post.text, post.entities)
    record["text"] = text_value(parts)
    record["text_entities"] = parts
    if post.reactions:
        record["reactions"] = _reactions(post.reactions)
    ours: dict[str, Any] = {
        "first_seen_at": post.first_seen_at, "captured_at": post.captured_at,
        "entities": post.entities, "media_kind": post.media_kind, "media": post.media,
        "views": post.views, "forwards": post.forwards, "grouped_id": post.grouped_id,
        "fwd_from": post.fwd_from, "reply_to": post.reply_to, "action": post.action,
        "reactions": post.reactions, "files": [
            {"role": f.role, "kind": f.kind, "mime": f.mime, "size": f.size,
             "file_name": f.file_name, "width": f.width, "height": f.height,
             "duration": f.duration, "sha256": f.sha256} for f in post.files
        ],
    }  # fmt: skip
    if post.deleted_at:
        ours["deleted_at"] = post.deleted_at
        ours["deleted_how"] = post.deleted_how
    if revisions:
        ours["revisions"] = [_revision(r) for r in revisions]
    record["tgmirror"] = ours
    return record, copies
