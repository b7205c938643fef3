"""0017 rebuilds the search index of an existing archive with the new stems: after the
upgrade a Persian compound is one word (a search for روزنامه, newspaper, does not find
روزنامه‌نگار, journalist), a Ukrainian verb is not a form of a noun (містить, contains, is not
місто, city), and SQLite's contentless index holds exactly what a fresh rebuild would, so
later edits and deletions take out what was put in."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.engine import downgrade, open_engine, upgrade
from archiver.db.schema import FTS_TABLE, messages
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.dialect import dialect_of
from archiver.store.integrity import search_index_counts
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts
from archiver.store.search_index import fts_insert, rebuild_search_index
from archiver.store.search_text import IndexEntry, index_texts

TEXTS = {
    1: "روزنامه‌ها توقیف شدند",
    2: "روزنامه‌نگار آزاد شد",
    3: "این روزنامه تعطیل شد",
    4: "روزنامه‌نگاران بازداشت شدند",
    5: "Council met today",
    6: "\u200c",  # nothing but a ZWNJ: indexed before as a blank body, now not at all
    7: "Місто без світла",
    8: "Документ містить помилки",
}


def _old_entries(pks: dict[int, int]) -> list[IndexEntry]:
    """The entries an archive made before 0017 holds for ``TEXTS`` (message pk by msg id):
    a ZWNJ folded as a space, which splits a word in two (the Ukrainian stems are left out,
    since the code that made them is gone; a rebuild does not need them)."""
    entries = []
    for msg_id, text in TEXTS.items():
        body, stems = index_texts(text.replace("\u200c", " "))
        if body:
            entries.append((pks[msg_id], msg_id, 5, body, stems))
    return entries


async def _vocabulary(conn: sa.Connection) -> list[tuple[str, str, int, int]]:
    """Every (term, column, documents, occurrences) of the FTS5 index."""
    await conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, {FTS_TABLE}, col)"
    )
    rows = await conn.exec_driver_sql("SELECT term, col, doc, cnt FROM temp.vocab ORDER BY 1, 2")
    return [tuple(row) for row in rows]


async def _ids(conn: sa.Connection, query: str) -> list[int]:
    found = await search_posts(conn, parse_query(query), "erased", limit=100)
    return sorted(p.msg_id for p in found)


async def test_upgrade_joins_the_parts_of_persian_words(make_config) -> None:
    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=5, access_hash=1, title="c5"), 1)
        await set_channel_fields(conn, 5, status="erased")
        rows = [MessageRow(channel_id=5, msg_id=k, date=k, text=t) for k, t in TEXTS.items()]
        await save_messages(conn, rows, 1)
    await downgrade(engine, "0013")
    async with engine.begin() as conn:  # the index as an archive made before 0017 holds it
        pks = dict((await conn.execute(sa.select(messages.c.msg_id, messages.c.id))).all())
        await dialect_of(conn).search.remove_all(conn)
        await fts_insert(conn, _old_entries(pks))
        assert await _ids(conn, '"نگار"') == [2]  # the old index split the compound
    await upgrade(engine)
    async with engine.begin() as conn:
        assert await _ids(conn, "روزنامه") == [1, 3]
        assert await _ids(conn, "روزنامه‌نگار") == [2, 4]
        assert await _ids(conn, '"نگار"') == []
        assert await _ids(conn, "місто") == [7]
        assert await search_index_counts(conn) == (7, 7)
        if conn.dialect.name == "sqlite":
            migrated = await _vocabulary(conn)
            await rebuild_search_index(conn)
            assert await _vocabulary(conn) == migrated
    await engine.dispose()
