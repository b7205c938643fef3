"""Desktop keys of a message that are not its text or media: dates, peers, service actions.

Pure functions used by ``tdesktop_record`` and ``tdesktop_media``. Dates are written as
Desktop writes them: ``date`` in a time zone (Desktop uses the exporting machine's; we use
``export.timezone``) and ``date_unixtime`` in UTC. Peers are written as Desktop's
``user123`` / ``chat123`` / ``channel123``. Service actions imported from Desktop keep their
Desktop fields in the action object (``members``, ``inviter``, ``new_title`` ...), and are
written back as they were.
"""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ACTIONS = {
    "channel_create": "create_channel",
    "chat_edit_title": "edit_group_title",
    "chat_edit_photo": "edit_group_photo",
    "chat_delete_photo": "delete_group_photo",
    "pin_message": "pin_message",
    "topic_create": "topic_created",
    "topic_edit": "topic_edit",
    "chat_create": "create_group",
    "chat_add_user": "invite_members",
    "chat_delete_user": "remove_members",
    "chat_joined_by_link": "join_group_by_link",
    "chat_migrate_to": "migrate_to_supergroup",
    "channel_migrate_from": "migrate_from_group",
    "history_clear": "clear_history",
    "group_call": "group_call",
    "chat_joined_by_request": "join_group_by_request",
}
"""Our action types (Telethon's class names in snake case) and Desktop's ``action`` names."""

# Keys of a Desktop service message that are not fields of its action.
SERVICE_COMMON = frozenset(
    {
        "id",
        "type",
        "date",
        "date_unixtime",
        "edited",
        "edited_unixtime",
        "actor",
        "actor_id",
        "action",
        "text",
        "text_entities",
        "reactions",
        "tgmirror",
        "photo",
        "photo_file_size",
        "width",
        "height",
        "media_spoiler",
        "from",
        "from_id",
    }
)
# Telegram's field names for the actions Desktop names differently.
_TELEGRAM_FIELDS = {"topic_edit": {"title": "new_title", "icon_emoji_id": "new_icon_emoji_id"}}
PEER_KINDS = ("user", "chat", "channel")
PRIVATE_PREFIX = "tgmirror."
"""Keys of ``messages.extra`` that are ours (kept beside Desktop's), never written as keys."""


def export_zone(name: str) -> tzinfo | None:
    """The zone ``export.timezone`` names: None for ``local`` (this machine's, like Desktop),
    ``UTC``, an IANA name (``Europe/Kyiv``) or a fixed offset (``+03:00``). ValueError if not."""
    if name == "local":
        return None
    if name.upper() == "UTC":
        return UTC
    if (
        name[:1] in "+-"
        and len(name) == 6
        and name[3] == ":"
        and name[1:3].isdigit()
        and name[4:].isdigit()
    ):
        sign = -1 if name[0] == "-" else 1
        delta = timedelta(hours=int(name[1:3]), minutes=int(name[4:]))
        if delta >= timedelta(hours=24):
            raise ValueError(name)
        return timezone(sign * delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(name) from exc


def desktop_date(ts: int, zone: tzinfo | None = UTC) -> str:
    """Desktop's ``date``: ISO time without offset, in ``zone`` (None: this machine's)."""
    moment = datetime.fromtimestamp(ts, zone) if zone else datetime.fromtimestamp(ts)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def peer_ref(kind: Any, ident: Any) -> str | None:
    """``channel123``: Desktop's way of naming a peer; None without a known kind and id."""
    if kind in PEER_KINDS and isinstance(ident, int):
        return f"{kind}{ident}"
    return None


def forward_keys(fwd: dict[str, Any]) -> dict[str, Any]:
    """``forwarded_from`` (the name, null if unknown) and ``forwarded_from_id``."""
    out: dict[str, Any] = {
        "forwarded_from": fwd.get("from_name")
        or fwd.get("post_author")
        or (f"{fwd.get('from_type')} {fwd.get('from_id')}" if fwd.get("from_id") else None)
    }
    ref = peer_ref(fwd.get("from_type"), fwd.get("from_id"))
    if ref:
        out["forwarded_from_id"] = ref
    return out


def reply_peer_key(reply_to: Any, channel_id: int) -> dict[str, Any]:
    """``reply_to_peer_id`` for a reply to a message of another chat."""
    if not isinstance(reply_to, dict) or reply_to.get("peer_id") in (None, channel_id):
        return {}
    ref = peer_ref(reply_to.get("peer_type", "channel"), reply_to.get("peer_id"))
    return {"reply_to_peer_id": ref} if ref else {}


def action_keys(action: dict[str, Any], reply_to_msg_id: int | None) -> dict[str, Any]:
    """Desktop's ``action`` name and the fields it writes for that action."""
    kind = action.get("type")
    if "desktop_action" in action:  # imported from Desktop: its name and fields, as they were
        out = {"action": action["desktop_action"]} if action["desktop_action"] else {}
        out.update((k, v) for k, v in action.items() if k not in ("type", "desktop_action"))
        return out
    out = {"action": ACTIONS.get(str(kind), kind)}
    renamed = _TELEGRAM_FIELDS.get(str(kind), {"title": "title"})
    out.update((renamed[k], action[k]) for k in renamed if action.get(k) is not None)
    if kind == "pin_message" and reply_to_msg_id:
        out["message_id"] = reply_to_msg_id
    return out


def safe_relative(path: Any) -> str | None:
    """A path from an imported export usable inside a new export folder, else None.

    Desktop puts every file in a folder (``photos/…``): a path outside the export, or beside
    ``result.json`` itself, is not taken from a file someone may have edited.
    """
    if not isinstance(path, str) or not path or path.startswith("("):
        return None
    clean = posixpath.normpath(path)
    if clean.startswith(("/", "../")) or "/" not in clean or "\\" in clean or "\x00" in clean:
        return None
    return clean
