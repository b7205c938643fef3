"""Pure conversion of message entities and service actions to the stored JSON shapes.

Entity offsets and lengths stay in UTF-16 code units, exactly as Telegram sends them; the
renderers convert. Unknown entity or action classes never raise: they are stored by name.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

ENTITY_TYPES = {
    "MessageEntityBold": "bold",
    "MessageEntityItalic": "italic",
    "MessageEntityUnderline": "underline",
    "MessageEntityStrike": "strike",
    "MessageEntityCode": "code",
    "MessageEntityPre": "pre",
    "MessageEntityTextUrl": "text_url",
    "MessageEntityUrl": "url",
    "MessageEntityEmail": "email",
    "MessageEntityPhone": "phone",
    "MessageEntityMention": "mention",
    "MessageEntityMentionName": "mention_name",
    "InputMessageEntityMentionName": "mention_name",
    "MessageEntityHashtag": "hashtag",
    "MessageEntityCashtag": "cashtag",
    "MessageEntityBotCommand": "bot_command",
    "MessageEntitySpoiler": "spoiler",
    "MessageEntityBlockquote": "blockquote",
    "MessageEntityCustomEmoji": "custom_emoji",
    "MessageEntityBankCard": "bank_card",
}
_ENTITY_EXTRAS = ("url", "language", "user_id", "document_id", "collapsed")


def snake(name: str) -> str:
    """``ChatEditTitle`` -> ``chat_edit_title``."""
    return _CAMEL.sub("_", name).lower()


def to_unix(value: Any) -> int | None:
    """A Telegram date (aware datetime or int) as Unix seconds."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def entity_json(entity: Any) -> dict[str, Any] | None:
    """One entity as ``{type, offset, length, ...}``; None if it has no usable span."""
    offset, length = getattr(entity, "offset", None), getattr(entity, "length", None)
    if not isinstance(offset, int) or not isinstance(length, int) or length <= 0 or offset < 0:
        return None
    kind = ENTITY_TYPES.get(type(entity).__name__, "unknown")
    out: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    for key in _ENTITY_EXTRAS:
        value = getattr(entity, key, None)
        if key == "user_id" and not isinstance(value, int):
            value = getattr(value, "user_id", None)  # InputMessageEntityMentionName
        if value is not None and value != "" and not (key == "collapsed" and value is False):
            out[key] = value
    return out


def entities_json(entities: Any) -> list[dict[str, Any]] | None:
    """A message's entities, or None when it has none."""
    if not entities:
        return None
    out = [e for e in (entity_json(x) for x in entities) if e is not None]
    return out or None


def text_with_entities(value: Any) -> tuple[str, list[dict[str, Any]] | None]:
    """Text from a plain string or a ``TextWithEntities`` (poll questions, answers)."""
    if isinstance(value, str):
        return value, None
    text = getattr(value, "text", None)
    return (text if isinstance(text, str) else ""), entities_json(getattr(value, "entities", None))


def peer_id(peer: Any) -> tuple[str | None, int | None]:
    """(``channel``|``user``|``chat``, id) of a Telegram Peer; (None, None) if absent."""
    for attr, kind in (("channel_id", "channel"), ("user_id", "user"), ("chat_id", "chat")):
        value = getattr(peer, attr, None)
        if isinstance(value, int):
            return kind, value
    return None, None


def action_json(action: Any) -> dict[str, Any]:
    """A service message's action as ``{type, ...}`` with its scalar fields kept."""
    name = type(action).__name__.removeprefix("MessageAction")
    out: dict[str, Any] = {"type": snake(name) if name else "unknown"}
    for key, value in (getattr(action, "__dict__", {}) or {}).items():
        if key.startswith("_"):
            continue
        if isinstance(value, (str, int, float, bool)) and not isinstance(value, bytes):
            out[key] = value
        elif isinstance(value, datetime):
            out[key] = to_unix(value)
        elif isinstance(value, list) and all(isinstance(v, int) for v in value):
            out[key] = value
    if getattr(action, "photo", None) is not None:
        out["has_photo"] = True
    return out
