"""Rebuild a post's text and entities from the HTML of a `tgme_widget_message_text` div.

Pure: a selectolax node goes in, `(text, entities)` in the shapes `archiver.telegram.convert`
stores comes out, with offsets and lengths in UTF-16 code units as Telegram counts them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "s": "strike",
    "del": "strike",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _link_entity(href: str, text: str) -> dict[str, Any]:
    """What kind of entity an `<a>` is, from its href and text (see docs, "t.me/s")."""
    if href.startswith("?q="):
        tag = unquote(href[3:])
        return {"type": "cashtag" if tag.startswith("$") else "hashtag"}
    if href.startswith("mailto:") and href[7:] == text:
        return {"type": "email"}
    if text.startswith("@") and href.rstrip("/").lower().endswith("/" + text[1:].lower()):
        return {"type": "mention"}
    if href in (text, f"http://{text}"):
        return {"type": "url"}
    return {"type": "text_url", "url": href}


class _Builder:
    """Walks the text node once, collecting text parts and entities at code point offsets
    (`len`, cheap); `utf16` converts them once at the end, only when the text needs it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def walk(self, node: LexborNode) -> None:
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                self.parts.append(text)
                self.offset += len(text)
            elif tag == "br":
                self.parts.append("\n")
                self.offset += 1
            else:
                self.element(child, tag or "")
            child = child.next

    def element(self, node: LexborNode, tag: str) -> None:
        start = self.offset
        index = len(self.entities)
        if tag == "tg-emoji":
            text = node.text(deep=True)
            self.parts.append(text)
            self.offset += len(text)
            emoji_id = node.attributes.get("emoji-id") or "0"
            entity: dict[str, Any] | None = {"type": "custom_emoji", "document_id": int(emoji_id)}
        else:
            self.walk(node)
            entity = None
            if tag in _SIMPLE:
                entity = {"type": _SIMPLE[tag]}
                if tag == "blockquote" and "expandable" in (node.attributes.get("class") or ""):
                    entity["collapsed"] = True
            elif tag == "a":
                covered = node.text(deep=True)
                entity = _link_entity(node.attributes.get("href") or "", covered)
        if entity is not None and self.offset > start:
            span = {"type": entity.pop("type"), "offset": start, "length": self.offset - start}
            self.entities.insert(index, {**span, **entity})


def _utf16(text: str, entities: list[dict[str, Any]]) -> None:
    """Code point offsets and lengths to UTF-16 code units, in place (astral characters,
    most emoji among them, take two units)."""
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        before = utf16_len(text[:start])
        entity["offset"] = before
        entity["length"] = utf16_len(text[:end]) - before


def text_and_entities(node: LexborNode | None) -> tuple[str, list[dict[str, Any]] | None]:
    """The text of a message-text node and its entities (outer before inner, by offset)."""
    if node is None:
        return "", None
    builder = _Builder()
    builder.walk(node)
    text = "".join(builder.parts)
    entities = builder.entities
    if not entities:
        return text, None
    if not text.isascii() and max(text) > "\uffff":
        _utf16(text, entities)
    return text, entities
