"""The search index on SQLite: a contentless FTS5 table (``schema.FTS_TABLE``).

Contentless means FTS5 keeps no copy of the text, so deleting an entry needs the same folded
text it was indexed with. ``rowid`` is the post's ``search_order.order_key`` (its date, then
``messages.id``), so FTS5 hands out matches newest first and a LIMIT stops the scan; ``chan``
holds one token per channel so that a search inside one channel is an FTS intersection, not a
post-filter. ``stem`` holds the stems of the words that have some (``search_stem``), in no
order: whole-word terms of a stemmed language match there, exact words, prefixes and phrases
in ``body``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import FTS_TABLE, messages
from archiver.store.search_order import PK_MASK, order_key
from archiver.store.search_query import SearchQuery
from archiver.store.search_text import IndexEntry, channel_token

_FTS = sa.table(FTS_TABLE, sa.column("rowid", sa.BigInteger))


def _params(entries: list[IndexEntry]) -> list[dict[str, object]]:
    return [
        {"rowid": order_key(date, pk), "body": body, "chan": channel_token(cid), "stem": stems}
        for pk, date, cid, body, stems in entries
    ]


async def add_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    await conn.execute(
        sa.text(
            f"INSERT INTO {FTS_TABLE}(rowid, body, chan, stem) VALUES (:rowid, :body, :chan, :stem)"
        ),
        _params(entries),
    )


async def remove_entries(conn: AsyncConnection, entries: list[IndexEntry]) -> None:
    await conn.execute(
        sa.text(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body, chan, stem) "
            "VALUES ('delete', :rowid, :body, :chan, :stem)"
        ),
        _params(entries),
    )


async def remove_all(conn: AsyncConnection) -> None:
    await conn.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))


def fts_expression(query: SearchQuery, channel_ids: list[int] | None = None) -> str:
    """The FTS5 MATCH expression for a parsed query (every piece quoted), inside the channels
    ``channel_ids`` if given."""
    parts = [_term(w, prefix, query.term_keys(i)) for i, (w, prefix) in enumerate(query.terms)]
    parts += ['body:"' + " ".join(words) + '"' for words in query.phrases]
    expression = " AND ".join(parts)
    if channel_ids is not None:
        tokens = " OR ".join(f'"{channel_token(cid)}"' for cid in channel_ids)
        expression += f" AND chan:({tokens})"
    return expression


def _term(word: str, prefix: bool, keys: tuple[str, ...]) -> str:
    if prefix:
        written = f'body:"{word}"*'
        return f'({written} OR stem:"{keys[0]}"*)' if keys else written
    if keys:
        return "stem:(" + " OR ".join(f'"{key}"' for key in keys) + ")"
    return f'body:"{word}"'


def newest_matches(select: sa.Select[Any], *, in_channels: bool, paged: bool) -> sa.Select[Any]:
    """``select`` (of ``messages`` columns) limited to posts matching the bound ``match``,
    newest first, older than the bound key ``before`` if ``paged`` (``match_params`` gives
    the values; the channels are part of ``match``).

    FTS5 is the outer loop and consumes ``ORDER BY rowid DESC``: no sort, and a LIMIT ends the
    scan after that many rows that pass the caller's other conditions.
    """
    select = (
        select.select_from(_FTS)
        .join(messages, messages.c.id == _FTS.c.rowid.op("&")(sa.literal_column(str(PK_MASK))))
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("match", type_=sa.Text)))
    )
    if paged:
        select = select.where(_FTS.c.rowid < sa.bindparam("before", type_=sa.BigInteger))
    return select.order_by(_FTS.c.rowid.desc())


def match_params(
    query: SearchQuery, channel_ids: list[int] | None, before: int | None
) -> dict[str, Any] | None:
    """The parameters of ``newest_matches`` for a search (never None: FTS5 quotes any word)."""
    return {"match": fts_expression(query, channel_ids), "before": before}
