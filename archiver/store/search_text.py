"""Fold text for full-text search, so that a query matches with or without diacritics.

SQLite's ``unicode61 remove_diacritics 2`` folds Latin accents only; Arabic and Persian harakat,
tatweel, letter variants and Cyrillic ё/й are folded here, identically for indexed text and
queries.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_ARABIC_VARIANTS = str.maketrans(
    {
        "\u0640": None,  # tatweel (kashida), pure decoration
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Persian yeh -> Arabic yeh
        "\u06a9": "\u0643",  # Persian keheh -> Arabic kaf
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u200c": " ",  # zero-width non-joiner (Persian) separates word parts
    }
)

IndexEntry = tuple[int, int, int, str]
"""(message pk, message date, channel id, folded body) of one message in the search index."""

_INDEX_WORD = re.compile(r"[^\W_]+")

_SEARCHED_MEDIA_KEYS = ("question", "title", "description", "file_name", "performer", "address")


def fold(text: str) -> str:
    """Return ``text`` with marks removed and letter variants unified, lower-cased."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_VARIANTS).casefold()


def search_body(text: str, media: Any = None) -> str:
    """The folded text indexed for a message: its text plus searchable media fields."""
    parts = [text or ""]
    if isinstance(media, dict):
        for key in _SEARCHED_MEDIA_KEYS:
            value = media.get(key)
            if isinstance(value, str):
                parts.append(value)
        for answer in media.get("answers") or ():
            if isinstance(answer, dict) and isinstance(answer.get("text"), str):
                parts.append(answer["text"])
    return fold("\n".join(p for p in parts if p))


def search_words(folded: str) -> list[str]:
    """The words of folded text as an index sees them: runs of letters and digits, as SQLite's
    unicode61 tokenizer splits them (so PostgreSQL's index, built from this, agrees with it)."""
    return _INDEX_WORD.findall(folded)


def channel_token(channel_id: int) -> str:
    """The token stored in the FTS ``chan`` column for a channel."""
    return f"c{channel_id}"
