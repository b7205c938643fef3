"""Parse what a reader typed into a search box; the same parsed query drives every backend.

Words, ``"quoted phrases"`` and ``prefix*`` are kept, folded like the index
(``search_text.fold``); every other character is dropped. So a malformed query can only be
empty (an error with a hint), never a syntax error or an injection into the index's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archiver.errors import SearchQueryError
from archiver.store.search_text import fold

MAX_QUERY = 300
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: terms (folded word, is_prefix) and phrases (folded words)."""

    terms: tuple[tuple[str, bool], ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> list[str]:
        """Every folded word, for highlighting."""
        return [t for t, _ in self.terms] + [w for p in self.phrases for w in p]


def parse_query(text: str) -> SearchQuery:
    """Parse what a reader typed; raises SearchQueryError with a hint if nothing is left."""
    if len(text) > MAX_QUERY:
        raise SearchQueryError(f"the search is too long (at most {MAX_QUERY} characters)")
    terms: list[tuple[str, bool]] = []
    phrases: list[tuple[str, ...]] = []
    for quoted, bare in _TOKEN.findall(text.replace("\u201c", '"').replace("\u201d", '"')):
        if quoted:
            words = tuple(_WORD.findall(fold(quoted)))
            if len(words) > 1:
                phrases.append(words)
            elif words:
                terms.append((words[0], False))
            continue
        prefix = bare.endswith("*")
        bare_words = _WORD.findall(fold(bare))
        for i, word in enumerate(bare_words):
            terms.append((word, prefix and i == len(bare_words) - 1))
    if not terms and not phrases:
        raise SearchQueryError(
            'nothing to search for: type words, a "quoted phrase" or a prefix such as news*'
        )
    return SearchQuery(tuple(terms[:20]), tuple(phrases[:5]))
