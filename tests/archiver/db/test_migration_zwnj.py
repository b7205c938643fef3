"""0017 re-indexes the posts of an existing archive that hold a ZWNJ: after the upgrade a
Persian compound is one word (a search for روزنامه, newspaper, does not find روزنامه‌نگار,
journalist), and SQLite's contentless index holds exactly what a fresh rebuild would, so later
edits and deletions take out what was put in."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.engine import downgrade, open_engine, upgrade
from archiver.db.schema import FTS_TABLE
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.integrity import search_index_counts
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts
from archiver.store.search_index import rebuild_search_index

TEXTS = {
    1: "روزنامه‌ها توقیف شدند",
    2: "روزنامه‌نگار آزاد شد",
    3: "این روزنامه تعطیل شد",
    4: "روزنامه‌نگاران بازداشت شدند",
    5: "Council met today",
    6: "\u200c",  # nothing but a ZWNJ: indexed before as a blank body, now not at all
}


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
    await downgrade(engine, "0013")  # the index as an archive made before 0017 holds it
    async with engine.connect() as conn:
        assert await _ids(conn, '"نگار"') == [2]  # the old index split the compound
    await upgrade(engine)
    async with engine.begin() as conn:
        assert await _ids(conn, "روزنامه") == [1, 3]
        assert await _ids(conn, "روزنامه‌نگار") == [2, 4]
        assert await _ids(conn, '"نگار"') == []
        assert await search_index_counts(conn) == (5, 5)
        if conn.dialect.name == "sqlite":
            migrated = await _vocabulary(conn)
            await rebuild_search_index(conn)
            assert await _vocabulary(conn) == migrated
    await engine.dispose()
