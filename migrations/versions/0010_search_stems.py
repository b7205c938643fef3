"""search index with stems

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

The search index learns the stems of Arabic, Persian, Russian and Ukrainian words
(``archiver.store.search_stem``), so that a whole-word search finds every form of a word
(بالمدينة for مدينة, Москве for Москва). SQLite: the FTS5 table gains a ``stem`` column; a
contentless table cannot take a column or re-index its entries, so it is dropped and rebuilt
from the messages. PostgreSQL: every tsvector is rebuilt with ``_stem`` lexemes beside its
words. On the 1,000,000-post archive of bench/web.py (SQLite, a busy 2-core machine, load
7-9): upgrade 237 s, downgrade 197 s. The entries are made by the store's own
``search_text.index_texts`` (as at the head revision), the same code that indexes new posts.
Downgrade rebuilds the index of words alone.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from archiver.store.search_order import order_key
from archiver.store.search_text import channel_token, index_texts
from archiver.store.search_tsvector import tsvector_literal

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Frozen copies: archiver.db.schema may change later.
FTS_DROP = "DROP TABLE IF EXISTS messages_fts"
FTS_CREATE_STEMS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    "body, chan, stem, content='', tokenize='unicode61 remove_diacritics 2')"
)
FTS_CREATE_WORDS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    "body, chan, content='', tokenize='unicode61 remove_diacritics 2')"
)
FTS_INSERT_STEMS = (
    "INSERT INTO messages_fts(rowid, body, chan, stem) VALUES (:rowid, :body, :chan, :stem)"
)
FTS_INSERT_WORDS = "INSERT INTO messages_fts(rowid, body, chan) VALUES (:rowid, :body, :chan)"
PG_CLEAR = "DELETE FROM messages_fts"
PG_INSERT = "INSERT INTO messages_fts(message_id, body) VALUES (:pk, CAST(:body AS tsvector))"
BATCH = 5000

_messages = sa.table(
    "messages",
    sa.column("id", sa.BigInteger),
    sa.column("date", sa.BigInteger),
    sa.column("channel_id", sa.BigInteger),
    sa.column("text", sa.Text),
    sa.column("media", sa.JSON),
)


def _rows(batch: list[sa.Row[Any]], stems: bool, sqlite: bool) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for pk, date, channel_id, text, media in batch:
        body, stem = index_texts(text, media)
        if not body:
            continue
        stem = stem if stems else ""
        if sqlite:
            row = {"rowid": order_key(date, pk), "body": body, "chan": channel_token(channel_id)}
            if stems:
                row["stem"] = stem
            out.append(row)
        else:
            out.append({"pk": pk, "body": tsvector_literal(body, stem)})
    return out


def _rebuild(stems: bool) -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(FTS_DROP)
        conn.exec_driver_sql(FTS_CREATE_STEMS if stems else FTS_CREATE_WORDS)
        insert = FTS_INSERT_STEMS if stems else FTS_INSERT_WORDS
    else:
        conn.exec_driver_sql(PG_CLEAR)
        insert = PG_INSERT
    last = 0
    while True:
        batch = conn.execute(
            sa.select(_messages).where(_messages.c.id > last).order_by(_messages.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        entries = _rows(batch, stems, sqlite)
        if entries:
            conn.execute(sa.text(insert), entries)
        last = batch[-1].id


def upgrade() -> None:
    _rebuild(stems=True)


def downgrade() -> None:
    _rebuild(stems=False)
