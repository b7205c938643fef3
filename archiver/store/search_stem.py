"""Stems of words for search, chosen by the word's script; the same at index and query time.

Arabic-script words (Arabic, Persian) go to ``search_stem_arabic``, or to
``search_stem_persian`` when written in parts joined by ZWNJ; Cyrillic ones (Russian,
Ukrainian) to ``search_stem_cyrillic``; other words have no stem and are searched as they
are written (folded). The index holds ``index_keys`` of every stemmed word, a query term looks
for any of its ``query_keys``. Results are cached per word: text repeats its words, so the
stemmers run once per distinct word and indexing stays about as fast as before.
"""

from __future__ import annotations

import functools
import re

from archiver.store.search_stem_arabic import arabic_keys, arabic_prefix, arabic_stem
from archiver.store.search_stem_cyrillic import cyrillic_keys, cyrillic_query_variants
from archiver.store.search_stem_persian import ZWNJ, zwnj_keys, zwnj_query_key

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CACHE = 1 << 16


def script_of(word: str) -> str | None:
    """``"arabic"``, ``"cyrillic"`` or None (not stemmed) for a folded word."""
    if word.isascii():
        return None
    if _ARABIC.search(word):
        return "arabic"
    if _CYRILLIC.search(word):
        return "cyrillic"
    return None


@functools.lru_cache(maxsize=_CACHE)
def index_keys(word: str) -> tuple[str, ...]:
    """The stems the index holds for a word folded for stems (empty: the word has none)."""
    script = script_of(word)
    if script == "arabic":
        return tuple(zwnj_keys(word) if ZWNJ in word else arabic_keys(word))
    if ZWNJ in word:  # ZWNJ only joins the parts of one word: stemmed as written without it
        return index_keys(word.replace(ZWNJ, ""))
    if script == "cyrillic":
        return tuple(cyrillic_keys(word))
    return ()


@functools.lru_cache(maxsize=4096)
def query_keys(word: str) -> tuple[str, ...]:
    """The stems a whole-word query term looks for (any of them), empty when the word has
    none and is looked up as written."""
    script = script_of(word)
    if script == "arabic":
        return (zwnj_query_key(word) if ZWNJ in word else arabic_stem(word),)
    if ZWNJ in word:
        return query_keys(word.replace(ZWNJ, ""))
    if script == "cyrillic":
        keys = [v for key in cyrillic_keys(word) for v in cyrillic_query_variants(key)]
        return tuple(dict.fromkeys(keys))
    return ()


def prefix_key(prefix: str) -> str | None:
    """What a ``prefix*`` query also looks for at the start of stems (Arabic only: the typed
    start without article and clitics); None when the written words alone are searched.
    A Cyrillic stem is the start of its word, so the word prefix already covers it."""
    return arabic_prefix(prefix) if script_of(prefix) == "arabic" else None
