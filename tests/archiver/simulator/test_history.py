"""History paging exactly as Telegram does it, seen through Telethon's own iterators."""

from datetime import UTC, datetime

import pytest

from archiver.simulator import World


@pytest.fixture
def posts(world: World) -> int:
    """Fill @news_ar with 250 posts (ids 1..250); returns its channel id."""
    ch = world.channel_ids()[0]
    for i in range(250):
        world.post(ch, f"post {i + 1}", push=False)
    return ch


async def ids(client, **kw):
    return [m.id async for m in client.iter_messages("news_ar", wait_time=0, **kw)]


async def test_iter_messages_returns_all_newest_first(posts, connect):
    client = await connect()
    assert await ids(client) == list(range(250, 0, -1))


async def test_reverse_returns_all_oldest_first(posts, connect):
    client = await connect()
    assert await ids(client, reverse=True) == list(range(1, 251))


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"limit": 120}, list(range(250, 130, -1))),
        ({"min_id": 200}, list(range(250, 200, -1))),
        ({"max_id": 50}, list(range(49, 0, -1))),
        ({"min_id": 10, "max_id": 20}, list(range(19, 10, -1))),
        ({"offset_id": 101}, list(range(100, 0, -1))),
        ({"offset_id": 101, "limit": 5}, [100, 99, 98, 97, 96]),
        ({"offset_id": 101, "add_offset": 10, "limit": 3}, [90, 89, 88]),
        ({"reverse": True, "min_id": 240}, list(range(241, 251))),
        ({"reverse": True, "max_id": 5}, [1, 2, 3, 4]),
        ({"reverse": True, "offset_id": 100, "limit": 3}, [101, 102, 103]),
        ({"reverse": True, "min_id": 100, "max_id": 230}, list(range(101, 230))),
    ],
)
async def test_slices(posts, connect, kw, expected):
    client = await connect()
    assert await ids(client, **kw) == expected


async def test_offset_date_starts_before_that_date(world, connect):
    ch = world.add_channel("dated_ch", "Dated")
    for day in range(1, 11):
        world.post(ch, f"day {day}", date=datetime(2024, 1, day, tzinfo=UTC), push=False)
    client = await connect()
    got = [
        m.id
        async for m in client.iter_messages(
            "dated_ch", offset_date=datetime(2024, 1, 5, tzinfo=UTC), wait_time=0
        )
    ]
    assert got == [4, 3, 2, 1]


async def test_deleted_ids_come_back_as_none(world, posts, connect):
    world.delete(posts, [5, 7])
    client = await connect()
    got = await client.get_messages("news_ar", ids=[4, 5, 6, 7, 999])
    assert [m.id if m else None for m in got] == [4, None, 6, None, None]
    assert 5 not in await ids(client)
    assert (await client.get_messages("news_ar", limit=0)).total == 248


async def test_silent_delete_still_hides_message(world, posts, connect):
    pts = world.channel(posts)["pts"]
    world.delete(posts, [250], push=False)
    assert world.channel(posts)["pts"] == pts
    client = await connect()
    assert (await ids(client, limit=1)) == [249]
