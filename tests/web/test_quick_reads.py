"""Channel pages read on the raw ``sqlite3`` cursor (``QuickSelect``) hold the same posts as
through SQLAlchemy: every page of every channel of a simulated archive, both directions; and
the channel lookups every page starts with find the same channels."""

from __future__ import annotations

import pytest

from archiver.db.engine import open_engine
from archiver.rows import ChannelRow
from archiver.store.browse import PostPage, channel_page
from archiver.store.channels import find_channel, upsert_channel
from archiver.store.loop_reader import LoopConnection, open_sqlite_reader
from archiver.store.visibility import old_usernames


async def _pages(conn, channel_id: int) -> list[PostPage]:
    """Every page from the newest back (``?before=``), then forward again (``?after=``)."""
    pages = [await channel_page(conn, channel_id, limit=7)]
    while pages[-1].older is not None:
        pages.append(await channel_page(conn, channel_id, before=pages[-1].older, limit=7))
    while pages[-1].newer is not None:
        pages.append(await channel_page(conn, channel_id, after=pages[-1].newer, limit=7))
    return pages


@pytest.mark.sqlite_only
async def test_quick_pages_hold_the_same_posts_as_sqlalchemy_pages(simulated_archive) -> None:
    url = simulated_archive["config"].database_url
    reader, engine = open_sqlite_reader(url), open_engine(url, create=False)
    assert reader is not None
    try:
        for channel_id in (simulated_archive[k] for k in ("ar", "ru", "en")):
            with reader.connect() as sync_conn:
                quick = await _pages(LoopConnection(sync_conn), channel_id)
            async with engine.connect() as conn:
                plain = await _pages(conn, channel_id)
            assert quick == plain
            assert len({p.msg_id for page in quick for p in page.posts}) > 20
    finally:
        reader.dispose()
        await engine.dispose()


@pytest.mark.sqlite_only
async def test_quick_pages_carry_files_json_and_albums(simulated_archive) -> None:
    url = simulated_archive["config"].database_url
    reader = open_sqlite_reader(url)
    assert reader is not None
    try:
        with reader.connect() as sync_conn:
            posts = [
                p
                for page in await _pages(LoopConnection(sync_conn), simulated_archive["ru"])
                for p in page.posts
            ]
    finally:
        reader.dispose()
    assert any(p.files and p.files[0].sha256 for p in posts)
    assert any(isinstance(p.media, dict) for p in posts)
    assert any(isinstance(p.entities, list) for p in posts)
    assert any(p.grouped_id is not None for p in posts)
    assert all(p.hidden is False for p in posts)


@pytest.mark.sqlite_only
async def test_quick_channel_lookups_find_what_sqlalchemy_finds(archive_copy) -> None:
    # every page starts by finding its channel; an old username must find its channel too
    url = archive_copy["config"].database_url
    reader, engine = open_sqlite_reader(url), open_engine(url, create=False)
    assert reader is not None
    try:
        async with engine.begin() as conn:
            channel = await find_channel(conn, archive_copy["en"])
            assert channel is not None
            row = ChannelRow(channel.id, channel.access_hash, channel.title, "new_wire")
            await upsert_channel(conn, row, 2_000_000_000)
        keys = ["open_wire", "OPEN_WIRE", "new_wire", "@new_wire", "nobody_here", "x\x00y"]
        keys += [str(archive_copy[k]) for k in ("ar", "ru", "en")] + ["-100" + "7" * 10]
        for key in keys:
            with reader.connect() as sync_conn:
                quick_conn = LoopConnection(sync_conn)
                quick = await find_channel(quick_conn, key)
                quick_old = await old_usernames(quick_conn, quick) if quick else None
            async with engine.connect() as conn:
                plain = await find_channel(conn, key)
                plain_old = await old_usernames(conn, plain) if plain else None
            assert (quick, quick_old) == (plain, plain_old), key
        with reader.connect() as sync_conn:
            renamed = await find_channel(LoopConnection(sync_conn), "open_wire")
            assert renamed is not None and renamed.username == "new_wire"
            assert await old_usernames(LoopConnection(sync_conn), renamed) == ["open_wire"]
    finally:
        reader.dispose()
        await engine.dispose()
