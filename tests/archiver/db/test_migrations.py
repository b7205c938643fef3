"""Alembic migrations run up and down on a real database (SQLite file, PostgreSQL server) and
match the schema module."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from archiver.db.engine import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    known_revisions,
    open_engine,
    upgrade,
)
from archiver.db.schema import FTS_TABLE, include_in_autogenerate, metadata
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.integrity import search_index_counts
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts


def _diff(sync_conn: sa.Connection) -> list:
    ctx = MigrationContext.configure(
        sync_conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
    )
    return compare_metadata(ctx, metadata)


async def test_upgrade_down_up_matches_schema_module(make_config) -> None:
    engine = open_engine(make_config(migrated=False).database_url)
    assert await upgrade(engine) == (None, head_revision())
    await downgrade(engine, "base")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert tables == ["alembic_version"]
    await upgrade(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert FTS_TABLE in names
    await engine.dispose()


def test_revisions_read_from_the_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert known_revisions() == {s.revision: s.down_revision for s in script.walk_revisions()}
    assert head_revision() == script.get_current_head()


async def test_second_upgrade_changes_nothing(make_config) -> None:
    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    assert await upgrade(engine) == (head_revision(), head_revision())
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


@pytest.mark.sqlite_only
async def test_connections_use_wal_foreign_keys_and_busy_timeout(engine) -> None:
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() >= 5000


def test_new_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "x.db"
    open_engine(f"sqlite+aiosqlite:///{path}")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


async def test_upgrade_rekeys_an_existing_search_index_and_old_posts_are_found(
    make_config,
) -> None:
    """0004 rebuilds SQLite's FTS5 index keyed by date; a downgrade puts back ``messages.id``
    keys, as an archive made before 0004 has them. PostgreSQL's index is left as it is."""
    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=5, access_hash=1, title="c5"), 1)
        await set_channel_fields(conn, 5, status="erased")
        rows = [
            MessageRow(channel_id=5, msg_id=i, date=1_700_000_000 + i, text=f"old news {i}")
            for i in range(30, 0, -1)
        ]
        await save_messages(conn, rows, 1)
    await downgrade(engine, "0003")
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            keys = f"SELECT rowid FROM {FTS_TABLE} EXCEPT SELECT id FROM messages"
            assert (await conn.exec_driver_sql(keys)).all() == []
    await upgrade(engine)
    async with engine.connect() as conn:
        found = await search_posts(conn, parse_query("news"), "erased", limit=100)
        counts = await search_index_counts(conn)
    assert counts == (30, 30)
    assert [p.msg_id for p in found] == list(range(30, 0, -1))
    await engine.dispose()


async def test_upgrade_indexes_the_stems_of_an_existing_archive(make_config) -> None:
    """0010 rebuilds the index of posts stored before it with their stems: an Arabic word
    with its article and clitics is then found by the bare word, on both backends."""
    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    before_stems = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0010")
    await downgrade(engine, before_stems.down_revision)
    texts = ["وصل الوفد إلى المدينة", "والمدينة بلا كهرباء", "طريق بالمدينة", "مدين للبنك"]
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO channels (id, access_hash, title, status, added_at) "
            "VALUES (5, 1, 'c5', 'erased', 1)"
        )
        for i, text in enumerate(texts, start=1):
            await conn.execute(
                sa.text(
                    "INSERT INTO messages (channel_id, msg_id, date, text, first_seen_at, "
                    "captured_at, last_seen_at) VALUES (5, :i, :i, :text, 1, 1, 1)"
                ),
                {"i": i, "text": text},
            )
    await upgrade(engine)
    async with engine.connect() as conn:
        found = await search_posts(conn, parse_query("مدينة"), "erased", limit=100)
        counts = await search_index_counts(conn)
    assert counts == (4, 4)
    assert sorted(p.msg_id for p in found) == [1, 2, 3]
    await engine.dispose()


async def test_upgrade_stores_the_subtrees_of_an_existing_capture_log(make_config) -> None:
    """0022 computes the stored subtrees of a log signed before it, up to its latest head, so
    that proofs and ``verify`` find them from the first run after the upgrade."""
    from archiver.evidence import merkle
    from archiver.evidence.captures import event_capture
    from archiver.store.evidence_log import HeadRow, add_head, append_captures, leaf_hashes

    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    await downgrade(engine, "0019")
    async with engine.begin() as conn:
        captures = [
            event_capture(channel_id=1, event_id=i, kind="renamed", at=5, detail=None)
            for i in range(23)
        ]
        await append_captures(conn, captures)
        hashes = await leaf_hashes(conn)
        root = merkle.root(hashes[:19])
        await add_head(conn, HeadRow(19, root, 1, "k", bytes(64)))
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT level, idx, hash FROM evidence_subtrees"))).all()
    levels = merkle.Tree(hashes[:19]).levels
    expected = {(lv, i, h) for lv in range(1, len(levels)) for i, h in enumerate(levels[lv])}
    assert {(lv, i, bytes(h)) for lv, i, h in rows} == expected
    await engine.dispose()
