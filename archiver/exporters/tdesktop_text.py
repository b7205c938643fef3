"""Desktop's two shapes of a message's text, written from our text and entities.

``text_entities`` is the text cut into typed parts, with offsets counted in UTF-16 units as
Telegram counts them; ``text`` is a plain string when nothing is formatted, else strings mixed
with those parts. ``ENTITY_NAMES`` maps our entity types to Desktop's; the importer reads the
same table backwards (``FROM_DESKTOP``).
"""

from __future__ import annotations

from typing import Any

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
