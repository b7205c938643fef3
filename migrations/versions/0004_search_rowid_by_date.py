"""search index keyed by date

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

SQLite: the FTS5 rowid becomes ``date * 2**31 + messages.id`` (``archiver.store.search_order``)
instead of ``messages.id``, so that FTS5 hands out matches newest first and a search stops at
its LIMIT instead of sorting every match. A contentless FTS5 table cannot re-key its entries,
so the index is dropped and rebuilt from the messages (about a minute per million posts).
PostgreSQL's tsvector index is keyed by ``message_id`` and stays as it is.
"""

from collections.abc import Callable

from alembic import op
import sqlalchemy as sa

from archiver.store.search_text import channel_token, search_body

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Frozen copies: archiver.db.schema and archiver.store.search_order may change later.
FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    "body, chan, content='', tokenize='unicode61 remove_diacritics 2')"
)
FTS_DROP = "DROP TABLE IF EXISTS messages_fts"
INSERT = "INSERT INTO messages_fts(rowid, body, chan) VALUES (:rowid, :body, :chan)"
BATCH = 5000

_messages = sa.table(
    "messages",
    sa.column("id", sa.BigInteger),
    sa.column("date", sa.BigInteger),
    sa.column("channel_id", sa.BigInteger),
    sa.column("text", sa.Text),
    sa.column("media", sa.JSON),
)


def _by_date(date: int, pk: int) -> int:
    return (max(-(1 << 32), min(date, (1 << 32) - 1)) << 31) | pk


def _by_pk(date: int, pk: int) -> int:
    return pk


def _rebuild(key: Callable[[int, int], int]) -> None:
    conn = op.get_bind()
    conn.exec_driver_sql(FTS_DROP)
    conn.exec_driver_sql(FTS_CREATE)
    last = 0
    while True:
        batch = conn.execute(
            sa.select(_messages).where(_messages.c.id > last).order_by(_messages.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        entries = []
        for pk, date, channel_id, text, media in batch:
            body = search_body(text, media)
            if body:
                entries.append({"rowid": key(date, pk), "body": body, "chan": channel_token(channel_id)})
        if entries:
            conn.execute(sa.text(INSERT), entries)
        last = batch[-1].id


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild(_by_date)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild(_by_pk)
