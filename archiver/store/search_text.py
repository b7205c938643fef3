"""Fold text for full-text search, so that a query matches with or without diacritics.

SQLite's ``unicode61 remove_diacritics 2`` folds Latin accents only; Arabic and Persian harakat,
tatweel, hamza seats, letter variants, Persian ZWNJ and Cyrillic ё/й are folded here,
identically for indexed text and queries. A ZWNJ joins the parts of one Persian word
(کتاب‌ها, روزنامه‌نگار): folded words drop it, so a word matches written with or without it,
and the stemmer sees where the parts meet (``search_stem_persian``). Each indexed text gives
two streams of words: the folded words themselves (``body``: exact words, prefixes and
phrases) and the stems of its Arabic, Persian, Russian and Ukrainian words (``stems``,
``search_stem``: whole-word search).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from archiver.store.search_stem import index_keys
from archiver.store.search_stem_persian import ZWNJ

_SHORT_I = "\ue000"  # й and Й stand here while marks are stripped

_ARABIC_VARIANTS = str.maketrans(
    {
        "\u0640": None,  # tatweel (kashida), pure decoration
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Persian yeh -> Arabic yeh
        "\u06a9": "\u0643",  # Persian keheh -> Arabic kaf
        "\u0671": "\u0627",  # alef wasla -> alef (other hamza seats lose their mark below)
    }
    | {0x0660 + d: str(d) for d in range(10)}  # Arabic-Indic digits
    | {0x06F0 + d: str(d) for d in range(10)}  # Persian digits
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_HAS_VARIANT = re.compile("[\u0640\u0649\u06cc\u06a9\u0671\u0660-\u0669\u06f0-\u06f9]")

IndexEntry = tuple[int, int, int, str, str]
"""(message pk, message date, channel id, folded body, stems) of one message in the index."""

_INDEX_WORD = re.compile(r"[^\W_]+")
STEM_WORD = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")
"""A word of text folded for stems: letters and digits, and the parts of a word that a
zero-width non-joiner joins (Persian کتاب‌ها, روزنامه‌نگار: one word, ``search_stem_persian``)."""

_SEARCHED_MEDIA_KEYS = ("question", "title", "description", "file_name", "performer", "address")


def fold_for_stems(text: str) -> str:
    """``text`` lower-cased, with marks removed and letter variants unified, but й and teh
    marbuta kept: the input of the stemmers. Same length and word breaks as ``fold``'s
    output except where NFKD expands a character (ligatures, ß) and for ZWNJ, which is kept
    here (it tells the stemmer where a Persian word's parts meet) and dropped there."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    text = text.replace("\u0439", _SHORT_I).replace("\u0419", _SHORT_I)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = _bmp_marks().sub("", decomposed)
    if _ASTRAL.search(stripped):  # emoji and the like: test each of them
        stripped = _ASTRAL.sub(_unless_mark, stripped)
    folded = unicodedata.normalize("NFC", stripped)
    if _HAS_VARIANT.search(folded):
        folded = folded.translate(_ARABIC_VARIANTS)
    return folded.replace(_SHORT_I, "\u0439").casefold()


def fold_aligned(text: str) -> str | None:
    """``fold_for_stems(text)`` when it folds ``text`` character for character, each character
    to exactly one (no marks or tatweel to drop, nothing that expands), else None. A position
    in the folded text is then the same position in ``text``: snippets mark matches so without
    folding character by character."""
    if "\u0640" in text or _bmp_marks().search(text):
        return None
    if any(unicodedata.category(ch) == "Mn" for ch in _ASTRAL.findall(text)):
        return None  # emoji are not marks: most astral characters fold to themselves
    folded = fold_for_stems(text)
    return folded if len(folded) == len(text) else None


def _unless_mark(match: re.Match[str]) -> str:
    return "" if unicodedata.category(match.group()) == "Mn" else match.group()


@functools.cache
def _bmp_marks() -> re.Pattern[str]:
    """Every nonspacing mark (category Mn) below U+10000, as one character class; built on
    first use (about 10 ms), since a regular expression strips them ten times faster than a
    loop over characters."""
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) == "Mn":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]")


def exact_from_stem_fold(folded: str) -> str:
    """``fold``'s text from ``fold_for_stems``' text (character for character but for ZWNJ,
    which goes): й → и, teh marbuta → heh."""
    folded = folded.replace("\u0439", "\u0438").replace("\u0629", "\u0647")
    return folded.replace(ZWNJ, "") if ZWNJ in folded else folded


def fold(text: str) -> str:
    """Return ``text`` with marks removed and letter variants unified, lower-cased."""
    if text.isascii():
        return text.lower()
    return exact_from_stem_fold(fold_for_stems(text))


def stems_of(folded_for_stems: str) -> str:
    """The stems indexed for a text folded by ``fold_for_stems``: every stem of every word
    that has stems, once each, space-separated (empty for text with none, as English)."""
    if folded_for_stems.isascii():
        return ""
    keys: dict[str, None] = {}
    for word in STEM_WORD.findall(folded_for_stems):
        for key in index_keys(word):
            keys[key] = None
    return " ".join(keys)


def index_texts(text: str | None, media: Any = None) -> tuple[str, str]:
    """(folded body, stems) indexed for a message's text and searchable media fields."""
    folded = fold_for_stems(_searched_text(text, media))
    if folded.isascii():
        return folded, ""
    return exact_from_stem_fold(folded), stems_of(folded)


def search_body(text: str | None, media: Any = None) -> str:
    """The folded text indexed for a message: its text plus searchable media fields."""
    return fold(_searched_text(text, media))


def _searched_text(text: str | None, media: Any) -> str:
    parts = [text or ""]
    if isinstance(media, dict):
        for key in _SEARCHED_MEDIA_KEYS:
            value = media.get(key)
            if isinstance(value, str):
                parts.append(value)
        for answer in media.get("answers") or ():
            if isinstance(answer, dict) and isinstance(answer.get("text"), str):
                parts.append(answer["text"])
    return "\n".join(p for p in parts if p)


def search_words(folded: str) -> list[str]:
    """The words of folded text as an index sees them: runs of letters and digits, as SQLite's
    unicode61 tokenizer splits them (so PostgreSQL's index, built from this, agrees with it)."""
    return _INDEX_WORD.findall(folded)


def channel_token(channel_id: int) -> str:
    """The token stored in the FTS ``chan`` column for a channel."""
    return f"c{channel_id}"
