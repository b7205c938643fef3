"""Channel pages read on the raw ``sqlite3`` cursor (``QuickSelect``) hold the same posts as
through SQLAlchemy: every page of every channel of a simulated archive, both directions."""

from __future__ import annotations

import pytest

from archiver.db.engine import open_engine
from archiver.store.browse import PostPage, channel_page
from archiver.store.loop_reader import LoopConnection, open_sqlite_reader


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
