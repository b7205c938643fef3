"""Full-text search over the archive with SQLite FTS5, safe against any user input.

A query is parsed here, never passed to FTS5 as typed: words, ``"quoted phrases"`` and
``prefix*`` are kept, folded like the index (``search_text.fold``), and quoted; every other
character is dropped. So a malformed query can only be empty (an error with a hint), never a
syntax error or an injection into the FTS5 expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import FTS_TABLE, channels, messages
from archiver.errors import SearchQueryError
from archiver.store.posts import Post, fetch_posts, post_query
from archiver.store.search_text import channel_token, fold
from archiver.store.visibility import PublishMode, public_channel_clause, visible_post_clause

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
        words = _WORD.findall(fold(bare))
        for i, word in enumerate(words):
            terms.append((word, prefix and i == len(words) - 1))
    if not terms and not phrases:
        raise SearchQueryError(
            'nothing to search for: type words, a "quoted phrase" or a prefix such as news*'
        )
    return SearchQuery(tuple(terms[:20]), tuple(phrases[:5]))


def fts_expression(query: SearchQuery, channel_id: int | None = None) -> str:
    """The FTS5 MATCH expression for a parsed query (every piece quoted)."""
    parts = [f'"{word}"{"*" if prefix else ""}' for word, prefix in query.terms]
    parts += ['"' + " ".join(words) + '"' for words in query.phrases]
    expression = "body:(" + " ".join(parts) + ")"
    if channel_id is not None:
        expression += f' AND chan:"{channel_token(channel_id)}"'
    return expression


async def search_posts(
    conn: AsyncConnection,
    query: SearchQuery,
    mode: PublishMode,
    *,
    channel_id: int | None = None,
    before: tuple[int, int] | None = None,
    limit: int = 20,
) -> list[Post]:
    """Visible posts of public channels matching ``query``, newest first.

    ``before`` is a (date, msg pk) keyset cursor from the previous page's last result.
    """
    matches = sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q").bindparams(
        q=fts_expression(query, channel_id)
    )
    select = (
        post_query()
        .join(channels, channels.c.id == messages.c.channel_id)
        .where(messages.c.id.in_(matches), visible_post_clause(), public_channel_clause(mode))
    )
    if channel_id is not None:
        select = select.where(messages.c.channel_id == channel_id)
    if before is not None:
        select = select.where(sa.tuple_(messages.c.date, messages.c.id) < sa.tuple_(*before))
    select = select.order_by(messages.c.date.desc(), messages.c.id.desc()).limit(limit)
    return await fetch_posts(conn, select)
