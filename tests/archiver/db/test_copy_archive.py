"""copy_archive: an archive goes SQLite → PostgreSQL → SQLite with every row, a working search,
resumes from its progress marker, and refuses to merge into another archive."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from archiver.db.copy_archive import copied_tables, copy_archive
from archiver.db.engine import open_engine
from archiver.db.schema import copy_progress, messages
from archiver.errors import DatabaseError
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts
from archiver.store.table_checksum import key_columns


@pytest.fixture
def pg_url(pg_server):
    """The URL of a new, empty PostgreSQL database (copy_archive migrates it)."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


async def _rows(engine) -> dict[str, list[tuple]]:
    """Every row of every copied table, in primary-key order, as Python values."""
    out = {}
    async with engine.connect() as conn:
        for table in copied_tables():
            query = sa.select(table).order_by(*key_columns(table))
            out[table.name] = [tuple(r) for r in (await conn.execute(query)).all()]
    return out


async def _found(engine, text: str) -> list[tuple[int, int]]:
    async with engine.connect() as conn:
        posts = await search_posts(conn, parse_query(text), "all", limit=100)
    return sorted((p.channel_id, p.msg_id) for p in posts)


async def test_archive_goes_to_postgresql_and_back_row_for_row(
    simulated_archive, pg_url, tmp_path: Path
) -> None:
    source = open_engine(simulated_archive["config"].database_url, create=False)
    pg = open_engine(pg_url)
    back = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'back.db'}")
    try:
        original = await _rows(source)
        there = await copy_archive(source, pg)
        home = await copy_archive(pg, back)
        assert there.copied_now == home.copied_now == sum(map(len, original.values()))
        assert not there.mismatches and not home.mismatches
        assert len(original["messages"]) > 400 and original["message_revisions"]
        assert await _rows(pg) == original
        assert await _rows(back) == original
        for query in ("محمد", "ёлка", "version four", "вечер*"):
            found = await _found(source, query)
            assert found, query
            assert await _found(pg, query) == found
            assert await _found(back, query) == found
    finally:
        for engine in (source, pg, back):
            await engine.dispose()


async def _archive_of(engine, posts: int, channel_id: int = 7) -> None:
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=channel_id, access_hash=1, title="t"), 100)
        rows = [
            MessageRow(
                channel_id=channel_id,
                msg_id=k,
                date=k,
                text=f"post {k}",
                raw=b"\x00\xff",
                entities=[{"type": "bold", "offset": 0, "length": 4}],
            )
            for k in range(1, posts + 1)
        ]
        await save_messages(conn, rows, 100)


async def test_an_interrupted_copy_resumes_after_its_last_batch(tmp_path: Path, pg_url) -> None:
    source = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    pg = open_engine(pg_url)
    from archiver.db.engine import upgrade

    await upgrade(source)
    await _archive_of(source, 2500)

    class StopAfterTwoBatches:
        def __init__(self) -> None:
            self.batches = 0

        def started(self, step: str, total: int, done: int) -> None:
            pass

        def advanced(self, step: str, count: int) -> None:
            if step == "messages":
                self.batches += 1
                if self.batches == 2:
                    raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            await copy_archive(source, pg, StopAfterTwoBatches(), batch_rows=1000)
        async with pg.connect() as conn:
            count = sa.select(sa.func.count()).select_from(messages)
            assert (await conn.execute(count)).scalar() == 2000
        report = await copy_archive(source, pg, batch_rows=1000)
        assert report.resumed and not report.mismatches
        by_name = {t.name: t for t in report.tables}
        assert by_name["messages"].copied_now == 500
        assert by_name["messages"].target.rows == 2500
        again = await copy_archive(source, pg)
        assert again.already_done and again.copied_now == 0 and not again.mismatches
    finally:
        await source.dispose()
        await pg.dispose()


async def test_a_target_holding_another_archive_is_refused(tmp_path: Path, pg_url) -> None:
    from archiver.db.engine import upgrade

    one = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    other = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    pg = open_engine(pg_url)
    try:
        for engine, channel in ((one, 1), (other, 2)):
            await upgrade(engine)
            await _archive_of(engine, 10, channel)
        await copy_archive(one, pg)
        with pytest.raises(DatabaseError, match="holds a copy of another archive"):
            await copy_archive(other, pg)
        with pytest.raises(DatabaseError, match=r"already holds an archive \(table channels"):
            await copy_archive(other, one)
        async with pg.connect() as conn:
            count = sa.select(sa.func.count()).select_from(messages)
            assert (await conn.execute(count)).scalar() == 10
            progress = (await conn.execute(sa.select(copy_progress.c.source))).scalars().all()
            assert set(progress) == {"1@100"}
    finally:
        for engine in (one, other, pg):
            await engine.dispose()


async def test_postgresql_ids_continue_after_the_copied_ones(tmp_path: Path, pg_url) -> None:
    from archiver.db.engine import upgrade

    source = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    pg = open_engine(pg_url)
    try:
        await upgrade(source)
        await _archive_of(source, 30)
        await copy_archive(source, pg)
        await _archive_of(pg, 40)  # 10 new posts, an event per channel update
        async with pg.connect() as conn:
            ids = (await conn.execute(sa.select(messages.c.id).order_by(messages.c.id))).scalars()
            assert list(ids) == list(range(1, 41))
    finally:
        await source.dispose()
        await pg.dispose()


async def test_a_row_postgresql_cannot_hold_is_one_line_naming_the_table(
    tmp_path: Path, pg_url
) -> None:
    from archiver.db.engine import upgrade

    source = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    pg = open_engine(pg_url)
    try:
        await upgrade(source)
        await _archive_of(source, 3)
        async with source.begin() as conn:
            await conn.execute(messages.update().where(messages.c.msg_id == 2).values(text="a\0b"))
        with pytest.raises(DatabaseError, match=r"^messages: rows up to key \[3\] cannot be writ"):
            await copy_archive(source, pg)
    finally:
        await source.dispose()
        await pg.dispose()


async def test_channel_leases_stay_behind(tmp_path: Path) -> None:
    from archiver.db.engine import upgrade
    from archiver.db.schema import channel_leases
    from archiver.store.leases import take_leases

    source = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    target = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        await upgrade(source)
        await _archive_of(source, 5)
        async with source.begin() as conn:
            assert await take_leases(conn, "worker-of-the-old-machine", [7], 1, 3600)
        report = await copy_archive(source, target)
        assert not report.mismatches
        async with target.connect() as conn:
            assert (
                await conn.execute(sa.select(sa.func.count()).select_from(channel_leases))
            ).scalar_one() == 0
            assert (
                await conn.execute(sa.select(sa.func.count()).select_from(messages))
            ).scalar_one() == 5
    finally:
        await source.dispose()
        await target.dispose()
