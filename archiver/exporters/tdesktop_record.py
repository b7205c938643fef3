"""One stored post as a message of Telegram Desktop's export JSON (result.json), pure.

Follows Desktop's "machine-readable JSON" export: the text in both of Desktop's shapes
(``tdesktop_text``), the media keys by kind (``tdesktop_media``), dates, peers and service
actions (``tdesktop_fields``); ``date`` is in ``export.timezone`` (Desktop uses the exporting
computer's zone; docs/export-format.md). Keys read from a Desktop export that have no column
(sender names, ``via_bot``, buttons ...) are kept in ``messages.extra`` and written back as
they were, as are the original file paths. What Desktop's format cannot carry — edit history,
deletion tombstones, capture times, our exact media details — goes under the ``tgmirror`` key,
which Desktop readers ignore and our importer reads back.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from archiver.exporters.tdesktop_fields import (
    PRIVATE_PREFIX,
    action_keys,
    desktop_date,
    forward_keys,
    reply_peer_key,
)
from archiver.exporters.tdesktop_media import MediaCopy, media_keys, photo_keys
from archiver.exporters.tdesktop_text import text_parts, text_value
from archiver.store.posts import Post, Revision

__all__ = ["message_record"]


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
        keys, copies = media_keys(post, with_media, ext)
        record.update(keys)
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
