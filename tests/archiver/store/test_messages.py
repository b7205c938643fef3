"""save_messages: inserts, edits kept as revisions, tombstones, and the search index."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.schema import message_media, message_revisions, messages
from archiver.rows import ChannelRow, FileRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.dialect import dialect_of
from archiver.store.messages import mark_deleted, purge_channel_messages, save_messages
from archiver.store.search_query import parse_query

CH = 1001


async def _setup(conn) -> None:
    await upsert_channel(conn, ChannelRow(id=CH, access_hash=5, title="News", username="news"), 1)


async def _fts_hits(conn, word: str) -> list[int]:
    """Message pks the search index (FTS5 or tsvector) holds for ``word``."""
    search = dialect_of(conn).search
    matches = search.newest_matches(sa.select(messages.c.id), in_channels=False, paged=False)
    params = search.match_params(parse_query(word), None, None)
    return list((await conn.execute(matches, params)).scalars()) if params else []


async def test_new_messages_are_inserted_once(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        batch = [
            MessageRow(channel_id=CH, msg_id=i, date=1000 + i, text=f"post {i}") for i in (3, 2, 1)
        ]
        first = await save_messages(conn, batch, now=10)
        second = await save_messages(conn, batch, now=11)
        count = (await conn.execute(sa.select(sa.func.count()).select_from(messages))).scalar()
    assert (first.inserted, second.inserted, second.unchanged, second.edited) == (3, 0, 3, 0)
    assert count == 3


async def test_edit_keeps_previous_version_as_revision(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        await save_messages(conn, [MessageRow(channel_id=CH, msg_id=7, date=1, text="first")], 10)
        for n, text in enumerate(["second", "third"], start=1):
            row = MessageRow(channel_id=CH, msg_id=7, date=1, text=text, edit_date=100 + n)
            result = await save_messages(conn, [row], 10 + n)
            assert result.edited == 1
        current = (await conn.execute(sa.select(messages.c.text, messages.c.captured_at))).one()
        revisions = (
            await conn.execute(
                sa.select(message_revisions.c.text, message_revisions.c.captured_at).order_by(
                    message_revisions.c.id
                )
            )
        ).all()
        assert await _fts_hits(conn, "first") == []
        assert len(await _fts_hits(conn, "third")) == 1
    assert tuple(current) == ("third", 12)
    assert [tuple(r) for r in revisions] == [("first", 10), ("second", 11)]


async def test_counter_changes_do_not_make_revisions(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        await save_messages(
            conn, [MessageRow(channel_id=CH, msg_id=1, date=1, text="a", views=1)], 1
        )
        await save_messages(
            conn, [MessageRow(channel_id=CH, msg_id=1, date=1, text="a", views=9)], 2
        )
        views = (await conn.execute(sa.select(messages.c.views))).scalar()
        revs = (
            await conn.execute(sa.select(sa.func.count()).select_from(message_revisions))
        ).scalar()
    assert (views, revs) == (9, 0)


async def test_deleted_message_keeps_content(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        await save_messages(conn, [MessageRow(channel_id=CH, msg_id=1, date=1, text="kept")], 1)
        assert await mark_deleted(conn, CH, [1, 99], now=50, how="update") == [1]
        assert await mark_deleted(conn, CH, [1], now=60, how="update") == []
        row = (await conn.execute(sa.select(messages.c.text, messages.c.deleted_at))).one()
    assert tuple(row) == ("kept", 50)


async def test_search_folds_arabic_harakat_and_cyrillic_yo(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        rows = [
            MessageRow(channel_id=CH, msg_id=1, date=1, text="ذهب مُحَمَّد إلى المدرسة"),
            MessageRow(channel_id=CH, msg_id=2, date=2, text="Ёлка стоит в зале"),
        ]
        await save_messages(conn, rows, 1)
        assert len(await _fts_hits(conn, "محمد")) == 1
        assert len(await _fts_hits(conn, "مُحَمَّد")) == 1
        assert len(await _fts_hits(conn, "елка")) == 1
        assert await purge_channel_messages(conn, CH) == 2
        assert await _fts_hits(conn, "елка") == []


async def test_files_are_queued_pending(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        photo = FileRow(kind="photo", tg_file_id=77, mime="image/jpeg", size=1000)
        row = MessageRow(channel_id=CH, msg_id=1, date=1, media_kind="photo", files=(photo,))
        await save_messages(conn, [row], 1)
        media = (await conn.execute(sa.select(message_media.c.kind, message_media.c.status))).all()
    assert [tuple(m) for m in media] == [("photo", "pending")]


async def test_posts_read_back_with_files_and_revision_count(engine) -> None:
    from archiver.store.export_rows import iter_export_batches
    from archiver.store.posts import get_post, get_revisions

    async with engine.begin() as conn:
        await _setup(conn)
        photo = FileRow(kind="photo", tg_file_id=77, mime="image/jpeg", size=1000)
        rows = [
            MessageRow(channel_id=CH, msg_id=i, date=i, text=f"t{i}", files=(photo,))
            for i in range(1, 6)
        ]
        await save_messages(conn, rows, 1)
        await save_messages(conn, [MessageRow(channel_id=CH, msg_id=2, date=2, text="new")], 2)
        post = await get_post(conn, CH, 2)
        revisions = await get_revisions(conn, post.pk)
        batches = [
            [p.msg_id for p in b.posts] async for b in iter_export_batches(conn, CH, batch=2)
        ]
    assert (post.text, post.revision_count, [r.text for r in revisions]) == ("new", 1, ["t2"])
    assert post.main_file is None  # the edit removed the photo
    assert batches == [[1, 2], [3, 4], [5]]


async def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        await save_messages(conn, [MessageRow(channel_id=CH, msg_id=1, date=1, text="v1")], 1)
        newer = MessageRow(channel_id=CH, msg_id=1, date=1, text="v3", edit_date=300)
        older = MessageRow(channel_id=CH, msg_id=1, date=1, text="v2", edit_date=200)
        await save_messages(conn, [newer], 2)
        result = await save_messages(conn, [older], 3)
        text = (await conn.execute(sa.select(messages.c.text))).scalar()
    assert (text, result.edited) == ("v3", 0)


async def test_an_older_capture_or_an_import_without_counters_leaves_them(engine) -> None:
    async with engine.begin() as conn:
        await _setup(conn)
        newer = MessageRow(channel_id=CH, msg_id=1, date=1, text="v2", edit_date=200, views=1000)
        older = MessageRow(channel_id=CH, msg_id=1, date=1, text="v1", edit_date=100, views=5)
        imported = MessageRow(
            channel_id=CH, msg_id=1, date=1, text="v2", edit_date=200, source="import"
        )
        for row in (newer, older, imported):
            await save_messages(conn, [row], 10)
        row = (await conn.execute(sa.select(messages.c.text, messages.c.views))).one()
    assert tuple(row) == ("v2", 1000)
