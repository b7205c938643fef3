"""Rebuild a post's text and entities from the HTML of a `tgme_widget_message_text` div.

Pure: a selectolax node goes in, `(text, entities)` in the shapes `archiver.telegram.convert`
stores comes out, with offsets and lengths in UTF-16 code units as Telegram counts them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from .parse_index import BR, COMMENT_NODE, TAG_IDS, TEXT_NODE, class_of

_BY_NAME = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "s": "strike",
    "del": "strike",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SIMPLE = {TAG_IDS[name]: kind for name, kind in _BY_NAME.items()}
"""Entity type by lexbor tag id, for the standard tags."""
_CUSTOM = {"tg-spoiler": "spoiler"}
"""Entity type by tag name, for Telegram's own elements (their ids differ per document)."""
_PLAIN = {tag_id: kind for tag_id, kind in _SIMPLE.items() if kind != "blockquote"}
"""The standard tags whose entity is their type, offset and length alone."""
A = TAG_IDS["a"]
BLOCKQUOTE = TAG_IDS["blockquote"]
Entities = list[dict[str, Any]]
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
"""A character outside the Basic Multilingual Plane: two UTF-16 code units."""


def _link(href: str, text: str, offset: int, length: int) -> dict[str, Any]:
    """What kind of entity an `<a>` is, from its href and text (see docs, "t.me/s")."""
    kind = "text_url"
    if href.startswith("?q="):
        kind = "cashtag" if unquote(href[3:]).startswith("$") else "hashtag"
    elif href.startswith("mailto:") and href[7:] == text:
        kind = "email"
    elif text.startswith("@") and href.rstrip("/").lower().endswith("/" + text[1:].lower()):
        kind = "mention"
    elif href in (text, f"http://{text}"):
        kind = "url"
    else:
        return {"type": kind, "offset": offset, "length": length, "url": href}
    return {"type": kind, "offset": offset, "length": length}


def _attr(node: LexborNode, name: str) -> str:
    try:
        return node.attrs[name] or ""
    except KeyError:
        return ""


def _walk(node: LexborNode, parts: list[str], entities: Entities, offset: int) -> int:
    """Collect the text under `node` into `parts` and its entities (outer before inner) at
    code point offsets; returns the offset after it."""
    child = node.first_child
    while child is not None:
        tag_id = child.tag_id
        if tag_id == TEXT_NODE:
            text = child.text_content or ""
            parts.append(text)
            offset += len(text)
        elif tag_id == BR:
            parts.append("\n")
            offset += 1
        elif tag_id != COMMENT_NODE:
            kind = _PLAIN.get(tag_id)
            if kind is not None:  # <b>text</b> and the like, read here: most entities are
                inner = child.first_child
                if inner is not None and inner.tag_id == TEXT_NODE and inner.next is None:
                    text = inner.text_content or ""
                    if text:
                        entities.append({"type": kind, "offset": offset, "length": len(text)})
                        parts.append(text)
                        offset += len(text)
                    child = child.next
                    continue
            offset = _element(child, tag_id, parts, entities, offset)
        child = child.next
    return offset


def _element(
    node: LexborNode, tag_id: int, parts: list[str], entities: Entities, start: int
) -> int:
    index = len(entities)
    kind = _SIMPLE.get(tag_id)
    if kind is None and tag_id != A:
        tag = node.tag
        if tag == "tg-emoji":
            emoji_id = int(_attr(node, "emoji-id") or "0")
            text = node.text(deep=True)
            parts.append(text)
            end = start + len(text)
            if end > start:
                entity = {"type": "custom_emoji", "offset": start, "length": end - start}
                entity["document_id"] = emoji_id
                entities.insert(index, entity)
            return end
        kind = _CUSTOM.get(tag or "")
    end = _walk(node, parts, entities, start)
    if end == start:
        return end
    if kind is not None:
        entity = {"type": kind, "offset": start, "length": end - start}
        if tag_id == BLOCKQUOTE and "expandable" in (class_of(node) or ""):
            entity["collapsed"] = True
        entities.insert(index, entity)
    elif tag_id == A:
        entities.insert(index, _link(_attr(node, "href"), node.text(deep=True), start, end - start))
    return end


def _utf16(entities: Entities, astral: list[int]) -> None:
    """Code point offsets and lengths to UTF-16 code units, in place: each astral character
    (most emoji among them) before a position takes two units (`astral`: their positions)."""
    for entity in entities:
        start = entity["offset"]
        end = start + entity["length"]
        before = start + bisect_left(astral, start)
        entity["offset"] = before
        entity["length"] = end + bisect_left(astral, end) - before


def text_and_entities(node: LexborNode | None) -> tuple[str, Entities | None]:
    """The text of a message-text node and its entities (outer before inner, by offset)."""
    if node is None:
        return "", None
    child = node.first_child
    if child is not None and child.next is None and child.tag_id == TEXT_NODE:
        return child.text_content or "", None  # plain text, the most common case
    parts: list[str] = []
    entities: Entities = []
    _walk(node, parts, entities, 0)
    text = "".join(parts)
    if not entities:
        return text, None
    if not text.isascii():
        astral = [match.start() for match in _ASTRAL.finditer(text)]
        if astral:
            _utf16(entities, astral)
    return text, entities
