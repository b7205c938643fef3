"""channel_page: at every page size, albums across a page end stay whole, every visible post
shows once going back and forward again, and the cursors stop at the first and newest post."""

from __future__ import annotations

from archiver.rows import ChannelRow, MessageRow
from archiver.store.browse import channel_page
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages, set_post_hidden

CH = 3003
# msg_id -> album: albums of 2, 10, 3 and 5 posts between single posts
ALBUMS = {i: 1 for i in (3, 4)} | {i: 2 for i in range(6, 16)} | {i: 3 for i in (16, 17, 18)}
ALBUMS |= {i: 4 for i in range(21, 26)}


async def _archive(conn) -> None:
    await upsert_channel(conn, ChannelRow(id=CH, access_hash=1, title="Albums"), 1)
    rows = [
        MessageRow(
            channel_id=CH, msg_id=i, date=1000 + i, text=f"post {i}", grouped_id=ALBUMS.get(i)
        )
        for i in range(1, 31)
    ]
    await save_messages(conn, rows, now=10)
    await set_post_hidden(conn, CH, 29, True)


async def test_pages_of_every_size_keep_albums_whole_and_show_each_post_once(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
    visible = [i for i in range(30, 0, -1) if i != 29]
    async with engine.connect() as conn:
        for size in range(1, 13):
            pages = [await channel_page(conn, CH, limit=size)]
            while pages[-1].older is not None:
                pages.append(await channel_page(conn, CH, before=pages[-1].older, limit=size))
            down = [p.msg_id for page in pages for p in page.posts]
            assert down == visible, size
            for page in pages:
                ends = {page.posts[0].grouped_id, page.posts[-1].grouped_id} - {None}
                for album in ends:  # an album at a page's edge is all on that page
                    on_page = [p.msg_id for p in page.posts if p.grouped_id == album]
                    assert on_page == sorted(ALBUMS.keys() & set(on_page), reverse=True)
                    assert len(on_page) == list(ALBUMS.values()).count(album), (size, album)
            assert pages[0].newer is None and pages[-1].older is None
            up = [await channel_page(conn, CH, after=pages[-1].posts[0].msg_id, limit=size)]
            while up[-1].newer is not None:
                up.append(await channel_page(conn, CH, after=up[-1].newer, limit=size))
            seen_up = [p.msg_id for page in up for p in page.posts]
            assert sorted(seen_up + [p.msg_id for p in pages[-1].posts]) == sorted(visible)
