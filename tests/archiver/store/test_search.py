"""search_posts on every backend: words, prefixes, phrases, one channel, bad queries."""

from __future__ import annotations

import pytest

from archiver.errors import SearchQueryError
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.integrity import search_index_counts
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts
from archiver.store.search_index import rebuild_search_index

POSTS = {
    1: "Москва готовится к выборам",
    2: "В Москве прошли задержания",
    3: "Государственная дума приняла закон",
    4: "Посуда вывезена со склада",
    5: "وصل مُحَمَّد إلى المدينة صباحاً",
    6: "مجلس الأمن يجتمع اليوم",
    7: "foo_bar and example.com, 2024",
}


async def _archive(conn) -> None:
    for cid in (1, 2):
        await upsert_channel(conn, ChannelRow(id=cid, access_hash=1, title=f"c{cid}"), 1)
        await set_channel_fields(conn, cid, status="erased")
    rows = [MessageRow(channel_id=1 + k % 2, msg_id=k, date=k, text=t) for k, t in POSTS.items()]
    await save_messages(conn, rows, 1)


async def _ids(conn, text: str, channel_id: int | None = None) -> list[int]:
    posts = await search_posts(conn, parse_query(text), "erased", channel_id=channel_id)
    return sorted(p.msg_id for p in posts)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("москва", [1, 2]),  # every form of the word
        ('"москва"', [1]),  # quoted: as written
        ("москв*", [1, 2]),
        ("суд", []),  # whole words: not inside Посуда or Государственная
        ('"государственная дума"', [3]),
        ('"дума государственная"', []),
        ("محمد", [5]),
        ('"مجلس الامن"', [6]),
        ("example com 2024", [7]),
        ("foo_bar", [7]),
        ("bar", [7]),
        ("москва дума", []),
    ],
)
async def test_search_finds_whole_words_prefixes_and_phrases(engine, query, found) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await _ids(conn, query) == found


async def test_search_in_one_channel(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await _ids(conn, "москв*", channel_id=1) == [2]
        assert await _ids(conn, "москв*", channel_id=2) == [1]


@pytest.mark.parametrize("query", ['"" * ( ) - :', "", "\"'\\", "\\'"])
def test_a_query_with_nothing_to_search_is_one_clear_error(query) -> None:
    with pytest.raises(SearchQueryError, match="nothing to search for"):
        parse_query(query)


@pytest.mark.parametrize("query", ["_", "'OR 1=1 --", "a:* & !b", "x' <-> 'y"])
async def test_hostile_queries_are_words_not_syntax(engine, query) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await _ids(conn, query) == []


async def test_rebuilt_index_has_one_entry_per_message_with_text(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await search_index_counts(conn) == (7, 7)
        assert await rebuild_search_index(conn) == 7
        assert await search_index_counts(conn) == (7, 7)
        assert await _ids(conn, "москв*") == [1, 2]
