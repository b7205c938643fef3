"""Paging through search results with the ``before`` cursor: newest first, every result once,
in archiving order or not, on every backend."""

from __future__ import annotations

import random

from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.messages import save_messages, set_post_hidden
from archiver.store.search import parse_query, search_page

CHANNELS = (1, 2)


async def _archive(conn) -> dict[tuple[int, int], int]:
    """40 posts per channel saying "tide", stored newest first as a backfill stores them, with
    dates shared by several posts; returns their dates by (channel, msg_id)."""
    rng = random.Random(7)
    dates: dict[tuple[int, int], int] = {}
    for cid in CHANNELS:
        await upsert_channel(conn, ChannelRow(id=cid, access_hash=1, title=f"c{cid}"), 1)
        await set_channel_fields(conn, cid, status="erased")
        rows = []
        for msg_id in range(40, 0, -1):
            dates[(cid, msg_id)] = 1_700_000_000 + msg_id // 3 * 60 + rng.choice((0, 0, 7))
            rows.append(
                MessageRow(
                    channel_id=cid,
                    msg_id=msg_id,
                    date=dates[(cid, msg_id)],
                    text=f"high tide number {msg_id}",
                )
            )
        await save_messages(conn, rows[:20], 1)
        await save_messages(conn, rows[20:], 1)
    return dates


async def _all_pages(conn, query: str, channel_id: int | None, limit: int) -> list[list]:
    pages, before = [], None
    while True:
        page = await search_page(
            conn, parse_query(query), "erased", channel_id=channel_id, before=before, limit=limit
        )
        pages.append(page.posts)
        if page.older is None:
            return pages
        before = page.older


async def test_paging_shows_every_result_once_newest_first(engine) -> None:
    async with engine.begin() as conn:
        dates = await _archive(conn)
        for channel_id, limit in ((None, 7), (1, 7), (2, 40), (2, 39)):
            pages = await _all_pages(conn, "tide", channel_id, limit)
            posts = [p for page in pages for p in page]
            keys = [(p.channel_id, p.msg_id) for p in posts]
            expected = {k for k in dates if channel_id in (None, k[0])}
            assert sorted(keys) == sorted(expected)  # each result exactly once
            order = [(p.date, p.pk) for p in posts]
            assert order == sorted(order, reverse=True)  # newest first, ties by pk
            assert all(len(page) == limit for page in pages[:-1])
            assert 0 < len(pages[-1]) <= limit


async def test_an_edit_keeps_a_post_in_its_place_and_hidden_posts_drop_out(engine) -> None:
    async with engine.begin() as conn:
        dates = await _archive(conn)
        before = [
            (p.channel_id, p.msg_id) for page in await _all_pages(conn, "tide", 1, 10) for p in page
        ]
        edited = MessageRow(
            channel_id=1,
            msg_id=20,
            date=dates[(1, 20)] + 99_999,
            edit_date=1_800_000_000,
            text="low tide, edited",
        )
        assert (await save_messages(conn, [edited], 2)).edited == 1
        await set_post_hidden(conn, 1, 21, True)
        after = [
            (p.channel_id, p.msg_id) for page in await _all_pages(conn, "tide", 1, 10) for p in page
        ]
        assert after == [k for k in before if k != (1, 21)]
        low = await search_page(conn, parse_query("low"), "erased")
        assert [p.msg_id for p in low.posts] == [20]
        high = await search_page(conn, parse_query("high"), "erased", channel_id=1, limit=50)
        assert 20 not in [p.msg_id for p in high.posts]  # the old text left the index
        assert len(high.posts) == 38
