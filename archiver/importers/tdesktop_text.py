"""Our text and entities from Desktop's ``text``: a plain string, or strings mixed with parts.

The inverse of ``archiver.exporters.tdesktop_text``. Entity offsets and lengths are recomputed
in UTF-16 units from the parts, as Telegram counts them; a part type this reader does not
know becomes an ``unknown`` entity. Bad shapes raise ``ImportFormatError`` naming ``where``.
"""

from __future__ import annotations

from typing import Any

from archiver.errors import ImportFormatError
from archiver.exporters.tdesktop_text import FROM_DESKTOP


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def read_text(text: Any, where: str) -> tuple[str, list[dict[str, Any]] | None]:
    """Text and entities (UTF-16 offsets) from Desktop's ``text`` (string or array)."""
    if isinstance(text, str):
        return text, None
    if not isinstance(text, list):
        raise ImportFormatError(
            f"{where}: text must be a string or a list, got {type(text).__name__}"
        )
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    offset = 0
    for part in text:
        if isinstance(part, str):
            piece, kind = part, "plain"
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            piece, kind = part["text"], part.get("type", "plain")
        else:
            raise ImportFormatError(f"{where}: text parts must be strings or objects with text")
        length = _utf16_len(piece)
        if kind != "plain" and length:
            entity: dict[str, Any] = {
                "type": FROM_DESKTOP.get(kind, "unknown"),
                "offset": offset,
                "length": length,
            }
            if kind == "text_link":
                entity["url"] = part.get("href", "")
            if kind == "pre" and part.get("language"):
                entity["language"] = part["language"]
            if kind == "mention_name" and part.get("user_id") is not None:
                entity["user_id"] = part["user_id"]
            if kind == "custom_emoji" and str(part.get("document_id", "")).isdigit():
                entity["document_id"] = int(part["document_id"])
            if part.get("collapsed"):
                entity["collapsed"] = True
            entities.append(entity)
        out.append(piece)
        offset += length
    return "".join(out), entities or None


def plain_text(value: Any, where: str) -> str:
    """Text that Desktop may write as a string or as a text array (poll questions, answers)."""
    return read_text(value if value is not None else "", where)[0]
