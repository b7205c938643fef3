"""Channel lookups are reused for at most ``max_age`` seconds: a channel hidden or renamed
while the mirror runs shows so once its lookup is that old (a clock stands in for waiting)."""

from __future__ import annotations

from archiver.db.engine import open_engine
from archiver.store.channels import set_channel_fields
from web.channel_cache import ChannelCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_hidden_channel_is_gone_once_its_lookup_is_a_second_old(archive_copy) -> None:
    clock = Clock()
    cache = ChannelCache(max_age=1.0, clock=clock)
    engine = open_engine(archive_copy["config"].database_url)
    async with engine.connect() as conn:
        found = await cache.lookup(conn, "open_wire", "all")
        assert found.channel is not None and found.canonical
        async with engine.begin() as writer:
            await set_channel_fields(writer, archive_copy["en"], hidden=True, title="Renamed")
        clock.now += 0.5
        assert (await cache.lookup(conn, "open_wire", "all")).channel is not None
        clock.now += 0.6
        assert (await cache.lookup(conn, "open_wire", "all")).channel is None
        async with engine.begin() as writer:
            await set_channel_fields(writer, archive_copy["en"], hidden=False)
        clock.now += 1.1
        again = await cache.lookup(conn, "open_wire", "all")
        assert again.channel is not None and again.channel.title == "Renamed"
    await engine.dispose()


async def test_keys_typed_at_random_do_not_grow_the_cache_past_its_bound(archive_copy) -> None:
    cache = ChannelCache(max_entries=10)
    engine = open_engine(archive_copy["config"].database_url)
    async with engine.connect() as conn:
        for i in range(25):
            assert (await cache.lookup(conn, f"nobody_{i}", "all")).channel is None
    await engine.dispose()
    assert len(cache) <= 10
