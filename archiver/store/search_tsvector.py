"""The search index on PostgreSQL: one ``tsvector`` per message under a GIN index.

The lexemes are the folded words of ``search_text`` written as a tsvector literal with their
positions, and queries are tsquery literals built from the same parsed query: PostgreSQL's own
parser and dictionaries never see the text, so results do not depend on the server's locale
and match SQLite's FTS5 index word for word (whole words, ``word:*`` prefixes, ``<->`` phrases).
Stems (``search_stem``) are lexemes of their own, ``_stem`` without a position: a folded word
never holds ``_``, so a stem can never be confused with a written word, and one GIN index
serves both.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import messages, pg_search_index
from archiver.store.search_order import key_date, key_pk
from archiver.store.search_query import SearchQuery
from archiver.store.search_text import IndexEntry, search_words

MAX_LEXEME_BYTES = 2046  # PostgreSQL rejects longer lexemes; nobody searches such a "word"
MAX_POSITION = 16383  # PostgreSQL caps positions here; later words keep this one


STEM_MARK = "_"


def tsvector_literal(body: str, stems: str = "") -> str:
    """The tsvector text of a folded body: ``'word':position`` for every indexed word, then
    ``'_stem'`` for every stem."""
    words = " ".join(
        f"'{word}':{min(position, MAX_POSITION)}"
        for position, word in enumerate(search_words(body), start=1)
        if len(word.encode()) <= MAX_LEXEME_BYTES
    )
    if not stems:
        return words
    marked = " ".join(
        f"'{STEM_MARK}{stem}'" for stem in stems.split() if len(stem.encode()) < MAX_LEXEME_BYTES
    )
    return f"{words} {marked}"


def tsquery_literal(query: SearchQuery) -> str:
    """The tsquery text of a parsed query: every term and phrase must match (``&``).

    A query word that the index splits (``a_b``) becomes a phrase of its parts, as FTS5 does.
    Empty when no piece has a letter or digit left; such a query matches nothing.
    """
    parts = []
    for i, (word, prefix) in enumerate(query.terms):
        keys = query.term_keys(i)
        pieces = [f"'{w}'" for w in search_words(word)]
        if pieces and prefix:
            pieces[-1] += ":*"
        if not pieces:
            return ""
        written = " <-> ".join(pieces)
        if keys and prefix:
            parts.append(f"{written} | '{STEM_MARK}{keys[0]}':*")
        elif keys:
            parts.append(" | ".join(f"'{STEM_MARK}{key}'" for key in keys))
        else:
            parts.append(written)
    for words in query.phrases:
        pieces = [f"'{w}'" for word in words for w in search_words(word)]
        if not pieces:
            return ""
        parts.append(" <-> ".join(pieces))
    if not parts:
        return ""
    return " & ".join(f"({part})" for part in parts)


async def add_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    stmt = insert(pg_search_index).values(
        message_id=sa.bindparam("pk"), body=sa.cast(sa.bindparam("body"), TSVECTOR)
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[pg_search_index.c.message_id], set_={"body": stmt.excluded.body}
    )
    await conn.execute(
        stmt, [{"pk": pk, "body": tsvector_literal(b, s)} for pk, _, _, b, s in entries]
    )


async def remove_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    pks = [entry[0] for entry in entries]
    await conn.execute(pg_search_index.delete().where(pg_search_index.c.message_id.in_(pks)))


async def remove_all(conn: AsyncConnection) -> None:
    await conn.execute(pg_search_index.delete())


_CHANNEL_IDS = sa.bindparam("channel_ids", type_=ARRAY(sa.BigInteger))
_MATCHING_IDS = sa.select(pg_search_index.c.message_id).where(
    pg_search_index.c.body.bool_op("@@")(sa.cast(sa.bindparam("match", type_=sa.Text), TSQUERY))
)


def newest_matches(select: sa.Select[Any], *, in_channels: bool, paged: bool) -> sa.Select[Any]:
    """``select`` (of ``messages`` columns) limited to posts matching the bound ``match``, in
    the bound array ``channel_ids`` if ``in_channels``, newest first, older than the bound
    ``before_date``/``before_pk`` if ``paged`` (``match_params`` gives the values).

    GIN finds every match and PostgreSQL sorts them by (date, id), the order of the key.
    """
    select = select.where(messages.c.id.in_(_MATCHING_IDS))
    if in_channels:
        select = select.where(messages.c.channel_id == sa.func.any(_CHANNEL_IDS))
    if paged:
        cursor = sa.tuple_(
            sa.bindparam("before_date", type_=sa.BigInteger),
            sa.bindparam("before_pk", type_=sa.BigInteger),
        )
        select = select.where(sa.tuple_(messages.c.date, messages.c.id) < cursor)
    return select.order_by(messages.c.date.desc(), messages.c.id.desc())


def match_params(
    query: SearchQuery, channel_ids: list[int] | None, before: int | None
) -> dict[str, Any] | None:
    """The parameters of ``newest_matches`` for a search; None when the query has no word
    the index can hold (it matches nothing)."""
    text = tsquery_literal(query)
    if not text:
        return None
    params: dict[str, Any] = {"match": text, "channel_ids": channel_ids}
    if before is not None:
        params.update(before_date=key_date(before), before_pk=key_pk(before))
    return params
