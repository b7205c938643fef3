"""search index: Persian words joined by ZWNJ stay one word; Ukrainian verbs apart from nouns

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-03

Two changes to the stems (``archiver.store.search_stem``) change what the index holds:

- a zero-width non-joiner (ZWNJ, U+200C) was folded to a space, so the parts of a Persian word
  were indexed as words of their own: روزنامه‌نگار (journalist) as روزنامه (newspaper) and
  نگار, and a search for روزنامه found journalists. Now a ZWNJ joins the parts of one word
  (``search_stem_persian``): the folded body drops it, the stems come from the whole word;
- a Ukrainian infinitive or present-tense ending leaves a stem marked as a verb's, so that
  містить (contains) is no longer a form of місто (city) (``search_stem_cyrillic``).

SQLite's contentless FTS5 index can only take out an entry given the values it was made
with, so every entry must be remade with the new ones, or a later edit or deletion of such a
post would leave its old words behind: the index is rebuilt from the messages, by the store's
own ``search_text.index_texts`` (as at the head revision), as 0010 does. On the 1,000,000-post
archive of bench/web.py: see bench/README.md ("Search quality").

Downgrade rebuilds the index the same way (its tables are the same at 0013): the code of the
revision at hand makes the entries. An older release run on the downgraded archive folds the
few posts with a ZWNJ or a Ukrainian verb otherwise, so edits of those may leave stale words
in its index until it is rebuilt (``tgmirror check --repair`` after a count mismatch, or
``tgmirror migrate-db``).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from archiver.store.search_order import order_key
from archiver.store.search_text import channel_token, index_texts
from archiver.store.search_tsvector import tsvector_literal

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None

# Frozen copies: archiver.db.schema may change later.
FTS_DROP = "DROP TABLE IF EXISTS messages_fts"
FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    "body, chan, stem, content='', tokenize='unicode61 remove_diacritics 2')"
)
FTS_INSERT = (
    "INSERT INTO messages_fts(rowid, body, chan, stem) VALUES (:rowid, :body, :chan, :stem)"
)
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


def _rows(batch: list[sa.Row[Any]], sqlite: bool) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for pk, date, channel_id, text, media in batch:
        body, stem = index_texts(text, media)
        if not body:
            continue
        if sqlite:
            row = {"rowid": order_key(date, pk), "body": body, "chan": channel_token(channel_id)}
            out.append(row | {"stem": stem})
        else:
            out.append({"pk": pk, "body": tsvector_literal(body, stem)})
    return out


def _rebuild() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(FTS_DROP)
        conn.exec_driver_sql(FTS_CREATE)
    else:
        conn.exec_driver_sql(PG_CLEAR)
    last = 0
    while True:
        batch = conn.execute(
            sa.select(_messages).where(_messages.c.id > last).order_by(_messages.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        entries = _rows(batch, sqlite)
        if entries:
            conn.execute(sa.text(FTS_INSERT if sqlite else PG_INSERT), entries)
        last = batch[-1].id


def upgrade() -> None:
    _rebuild()


def downgrade() -> None:
    _rebuild()
