"""Search pages come 20 results at a time; following "Older" reaches every result once."""

from __future__ import annotations

import html
import re

import pytest

from archiver.db.engine import open_engine
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.messages import save_messages
from tests.web.conftest import make_client

RESULT = re.compile(r'<li class="result">.*?href="/(\w+)/(\d+)"', re.S)
OLDER = re.compile(r'rel="next" href="([^"]+)"')


@pytest.fixture
async def client(make_config):
    """Two public channels: 47 posts about rain in ``wet``, 5 in ``dry``, stored newest
    first (as a backfill does) with dates some posts share."""
    config = make_config({"web": {"publish": "all"}})
    engine = open_engine(config.database_url)
    async with engine.begin() as conn:
        for cid, name, count in ((1, "wet", 47), (2, "dry", 5)):
            channel = ChannelRow(id=cid, access_hash=1, title=name, username=name)
            await upsert_channel(conn, channel, 1)
            rows = [
                MessageRow(
                    channel_id=cid,
                    msg_id=i,
                    date=1_700_000_000 + i // 2 * 60,
                    text=f"rain, day {i}",
                )
                for i in range(count, 0, -1)
            ]
            await save_messages(conn, rows, 1)
    await engine.dispose()
    async with make_client(config) as c:
        yield c


async def _walk(client, url: str) -> tuple[list[tuple[str, int]], list[str]]:
    """Every result (channel, post) of a search, page after page, and each page's text."""
    results, pages = [], []
    while url:
        page = await client.get(url)
        assert page.status_code == 200, url
        pages.append(page.text)
        results += [(name, int(msg_id)) for name, msg_id in RESULT.findall(page.text)]
        older = OLDER.search(page.text)
        url = html.unescape(older.group(1)) if older else ""
    return results, pages


async def test_older_links_reach_every_result_once_newest_first(client) -> None:
    found, pages = await _walk(client, "/wet/search?q=rain")
    # Newest first; posts of the same minute by storage order, newest stored (lowest id) last.
    newest_first = sorted(range(1, 48), key=lambda i: (i // 2, -i), reverse=True)
    assert found == [("wet", i) for i in newest_first]
    assert [p.count('class="result"') for p in pages] == [20, 20, 7]
    assert "Newest" not in pages[0] and all('href="/wet/search?q=rain">' in p for p in pages[1:])
    everywhere, pages = await _walk(client, "/search?q=rain")
    assert sorted(everywhere) == sorted(found + [("dry", i) for i in range(1, 6)])
    assert len(set(everywhere)) == 52 and len(pages) == 3


@pytest.mark.parametrize("before", ["x", "1.5", "9" * 30])
async def test_a_malformed_cursor_is_a_clear_400(client, before) -> None:
    page = await client.get("/wet/search", params={"q": "rain", "before": before})
    assert page.status_code == 400
    assert "before=" in page.text


async def test_the_api_pages_through_every_result_once(client) -> None:
    found, before = [], None
    while True:
        params = {"q": "rain", "limit": 15, **({"before": before} if before else {})}
        page = (await client.get("/api/search", params=params)).json()
        found += [(p["channel_id"], p["msg_id"]) for p in page["posts"]]
        before = page["older"]
        if before is None:
            break
    assert len(found) == 52 == len(set(found))
    one = (await client.get("/api/search", params={"q": "rain", "channel": "dry"})).json()
    assert sorted(p["msg_id"] for p in one["posts"]) == [1, 2, 3, 4, 5]
    assert one["older"] is None and {p["channel_id"] for p in one["posts"]} == {2}


async def test_search_under_the_default_policy_looks_only_in_erased_channels(make_config) -> None:
    """The index is asked about public channels only; private ones never show, however many
    of their posts match, and with no public channel a search finds nothing."""
    config = make_config()
    engine = open_engine(config.database_url)
    async with engine.begin() as conn:
        for cid, name in ((1, "alive"), (2, "gone")):
            await upsert_channel(
                conn, ChannelRow(id=cid, access_hash=1, title=name, username=name), 1
            )
            rows = [
                MessageRow(
                    channel_id=cid, msg_id=i, date=1_700_000_000 + i, text=f"storm {name} {i}"
                )
                for i in range(1, 31)
            ]
            await save_messages(conn, rows, 1)
    async with make_client(config) as c:
        assert (await c.get("/api/search", params={"q": "storm"})).json()["posts"] == []
        assert 'class="result"' not in (await c.get("/search?q=storm")).text
    async with engine.begin() as conn:
        await set_channel_fields(conn, 2, status="erased")
    await engine.dispose()
    async with make_client(config) as c:
        found, _ = await _walk(c, "/search?q=storm")
        assert sorted(found) == [("gone", i) for i in range(1, 31)]
        api = (await c.get("/api/search", params={"q": "storm", "limit": 100})).json()
        assert {p["channel_id"] for p in api["posts"]} == {2} and len(api["posts"]) == 30
