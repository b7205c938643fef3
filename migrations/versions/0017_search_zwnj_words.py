"""search index: Persian words joined by ZWNJ stay one word

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-03

Until this revision a zero-width non-joiner (ZWNJ, U+200C) was folded to a space, so the
parts of a Persian word were indexed as words of their own: روزنامه‌نگار (journalist) as
روزنامه (newspaper) and نگار, and a search for روزنامه found journalists. Now a ZWNJ joins
the parts of one word (``search_stem_persian``): the folded body drops it and the stems are
taken from the whole word. Only posts whose text or searchable media fields hold a ZWNJ
index differently, so only they are re-indexed: their entry under the old folding is taken
out (SQLite's contentless FTS5 table needs the old values to delete: the text with every
ZWNJ written as a space gives exactly them) and the new one put in; PostgreSQL's tsvector
rows are overwritten. Downgrade does the reverse. On the 1,000,000-post archive of
bench/web.py (57,000 posts with ZWNJ): see bench/README.md.
"""

import json
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

ZWNJ = "\u200c"
BATCH = 5000
# Frozen copies: archiver.db.schema may change later.
FTS_INSERT = (
    "INSERT INTO messages_fts(rowid, body, chan, stem) VALUES (:rowid, :body, :chan, :stem)"
)
FTS_DELETE = (
    "INSERT INTO messages_fts(messages_fts, rowid, body, chan, stem) "
    "VALUES ('delete', :rowid, :body, :chan, :stem)"
)
PG_UPSERT = (
    "INSERT INTO messages_fts(message_id, body) VALUES (:pk, CAST(:body AS tsvector)) "
    "ON CONFLICT (message_id) DO UPDATE SET body = excluded.body"
)
PG_DELETE = "DELETE FROM messages_fts WHERE message_id = :pk"

_messages = sa.table(
    "messages",
    sa.column("id", sa.BigInteger),
    sa.column("date", sa.BigInteger),
    sa.column("channel_id", sa.BigInteger),
    sa.column("text", sa.Text),
    sa.column("media", sa.JSON),
)
_media_text = sa.cast(_messages.c.media, sa.Text)
_HOLDS_ZWNJ = sa.or_(
    _messages.c.text.contains(ZWNJ),
    _media_text.contains(ZWNJ),
    _media_text.contains("\\u200c", autoescape=True),  # JSON written with ensure_ascii
    _media_text.contains("\\u200C", autoescape=True),
)


def _spaced(value: Any) -> Any:
    """``value`` (text or media) with every ZWNJ written as a space: what the index held."""
    if isinstance(value, str):
        return value.replace(ZWNJ, " ")
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False).replace(ZWNJ, " "))


def _entries(batch: list[sa.Row[Any]], joined: bool) -> list[tuple[int, dict[str, object]]]:
    """(message pk, index values) of each row: folded with ZWNJ joining words (the new way)
    or as a space (the old way); the values are empty for a row with nothing indexed."""
    out: list[tuple[int, dict[str, object]]] = []
    for pk, date, channel_id, text, media in batch:
        if joined:
            body, stem = index_texts(text, media)
        else:
            body, stem = index_texts(_spaced(text), _spaced(media))
        values: dict[str, object] = {}
        if body:
            values = {
                "rowid": order_key(date, pk),
                "body": body,
                "chan": channel_token(channel_id),
                "stem": stem,
            }
        out.append((pk, values))
    return out


def _reindex(joined: bool) -> None:
    """Re-index the posts holding a ZWNJ: out with the other folding, in with ``joined``'s."""
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    last = 0
    while True:
        batch = conn.execute(
            sa.select(_messages)
            .where(_messages.c.id > last, _HOLDS_ZWNJ)
            .order_by(_messages.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        last = batch[-1].id
        new = _entries(batch, joined)
        if sqlite:
            old = [values for _, values in _entries(batch, not joined) if values]
            if old:
                conn.execute(sa.text(FTS_DELETE), old)
            added = [values for _, values in new if values]
            if added:
                conn.execute(sa.text(FTS_INSERT), added)
            continue
        upserts = [
            {"pk": pk, "body": tsvector_literal(str(v["body"]), str(v["stem"]))}
            for pk, v in new
            if v
        ]
        if upserts:
            conn.execute(sa.text(PG_UPSERT), upserts)
        gone = [{"pk": pk} for pk, v in new if not v]
        if gone:
            conn.execute(sa.text(PG_DELETE), gone)


def upgrade() -> None:
    _reindex(joined=True)


def downgrade() -> None:
    _reindex(joined=False)
