"""Parse what a reader typed into a search box; the same parsed query drives every backend.

Words, ``"quoted phrases"`` and ``prefix*`` are kept, folded like the index
(``search_text.fold``); every other character is dropped. So a malformed query can only be
empty (an error with a hint), never a syntax error or an injection into the index's language.

A bare word of a stemmed language (``search_stem``) matches any form of it: the query looks
up its stems in the index's stems. A quoted word or phrase matches exactly as written (folded),
a ``prefix*`` the starts of written words (and, for Arabic, of words without their article).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from archiver.errors import SearchQueryError
from archiver.store.search_stem import index_keys, prefix_key, query_keys
from archiver.store.search_text import exact_from_stem_fold, fold_for_stems

MAX_QUERY = 300
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
_STEM_WORD = re.compile(r"\w+(?:\u200c\w+)*")  # ZWNJ joins the parts of one Persian word


class QueryWords(list[str]):
    """The folded words a result's snippet marks where they start a word (exact terms,
    prefixes, phrase words), with ``stems``: a word of the text whose stems (``index_keys``)
    include one of these is marked whole (``marks_whole``)."""

    stems: frozenset[str] = frozenset()

    def marks_whole(self, word: str) -> bool:
        """Whether a word of a text (folded for stems) is marked whole: one of its stems is
        one the query looks for."""
        return stems_meet(self.stems, word)


@functools.lru_cache(maxsize=1 << 16)
def stems_meet(stems: frozenset[str], word: str) -> bool:
    """Remembered per query and word: snippets repeat their words from page to page, and
    stemming each word of each snippet was a quarter of a stemmed search's time."""
    return not stems.isdisjoint(index_keys(word))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: terms (folded word, is_prefix), phrases (folded words), and per term
    the stems it looks for (``keys``; empty: the term is looked up as written)."""

    terms: tuple[tuple[str, bool], ...]
    phrases: tuple[tuple[str, ...], ...]
    keys: tuple[tuple[str, ...], ...] = ()

    def term_keys(self, index: int) -> tuple[str, ...]:
        """The stems term ``index`` looks for; for a prefix term, the stem start."""
        return self.keys[index] if index < len(self.keys) else ()

    @property
    def words(self) -> QueryWords:
        """What a snippet highlights (``render.highlight``)."""
        words = QueryWords(
            [w for i, (w, prefix) in enumerate(self.terms) if prefix or not self.term_keys(i)]
            + [w for p in self.phrases for w in p]
        )
        words.stems = frozenset(
            key
            for i, (_, prefix) in enumerate(self.terms)
            if not prefix
            for key in self.term_keys(i)
        )
        return words


def parse_query(text: str) -> SearchQuery:
    """Parse what a reader typed; raises SearchQueryError with a hint if nothing is left."""
    if len(text) > MAX_QUERY:
        raise SearchQueryError(f"the search is too long (at most {MAX_QUERY} characters)")
    terms: list[tuple[str, bool]] = []
    keys: list[tuple[str, ...]] = []
    phrases: list[tuple[str, ...]] = []
    for quoted, bare in _TOKEN.findall(text.replace("\u201c", '"').replace("\u201d", '"')):
        if quoted:
            words = tuple(_WORD.findall(exact_from_stem_fold(fold_for_stems(quoted))))
            if len(words) > 1:
                phrases.append(words)
            elif words:
                terms.append((words[0], False))
                keys.append(())
            continue
        prefix = bare.endswith("*")
        stem_words = _STEM_WORD.findall(fold_for_stems(bare))
        for i, stem_word in enumerate(stem_words):
            is_prefix = prefix and i == len(stem_words) - 1
            terms.append((exact_from_stem_fold(stem_word), is_prefix))
            keys.append(_keys(stem_word, is_prefix))
    if not terms and not phrases:
        raise SearchQueryError(
            'nothing to search for: type words, a "quoted phrase" or a prefix such as news*'
        )
    return SearchQuery(tuple(terms[:20]), tuple(phrases[:5]), tuple(keys[:20]))


def _keys(word: str, prefix: bool) -> tuple[str, ...]:
    if "_" in word:  # the index splits it into words: looked up as a phrase of them
        return ()
    if not prefix:
        return query_keys(word)
    start = prefix_key(word)
    return (start,) if start else ()
