"""Archiving a channel from t.me/s alone: backfill to the first post, resume after a stop,
edits as revisions, faults never stored as anything, Telegram's captures never overwritten."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.db.schema import message_revisions, messages
from archiver.rows import ChannelRow, MessageRow
from archiver.simulator import World
from archiver.simulator.web_preview import WebFaults, serve_web
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages
from archiver.tme.client import PoliteClient
from archiver.tme.follow import sync_web_channel, web_channel_id

NOW = 1_800_000_000


async def _stored(engine: AsyncEngine) -> dict[int, tuple[str, str]]:
    async with engine.begin() as conn:
        rows = await conn.execute(sa.select(messages.c.msg_id, messages.c.text, messages.c.source))
        return {r.msg_id: (r.text, r.source) for r in rows}


def _world(tmp_path: Path, posts: int) -> tuple[World, int]:
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily")
    for n in range(posts):
        world.post(ch, f"post {n}", views=10 + n, push=False)
    return world, ch


async def _add(engine: AsyncEngine, ch: int) -> None:
    async with engine.begin() as conn:
        await upsert_channel(
            conn,
            ChannelRow(id=ch, access_hash=None, title="Daily", username="daily"),
            NOW,
            source="web",
        )


async def test_backfill_walks_to_the_first_post_and_resumes(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch = _world(tmp_path, 70)
    await _add(engine, ch)
    with serve_web(world.path) as app:
        async with PoliteClient(app.state.base_url, rate=1000) as client:
            first = await sync_web_channel(engine.begin, client, ch, "daily", NOW, max_pages=2)
            assert (first.inserted, first.complete) == (40, False)  # stopped: cursor kept
            rest = await sync_web_channel(engine.begin, client, ch, "daily", NOW)
            assert (rest.inserted, rest.complete) == (30, True)
            world.edit(ch, 70, "post 69, corrected", push=False)
            world.post(ch, "post 70", push=False)
            live = await sync_web_channel(engine.begin, client, ch, "daily", NOW + 60)
    assert (live.inserted, live.edited, live.pages) == (1, 1, 1)
    stored = await _stored(engine)
    assert sorted(stored) == list(range(1, 72))
    assert stored[70] == ("post 69, corrected", "web")
    async with engine.begin() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(message_revisions))
        ).scalar()


async def test_random_faults_only_slow_it_down(engine: AsyncEngine, tmp_path: Path) -> None:
    world, ch = _world(tmp_path, 90)
    await _add(engine, ch)
    faults = WebFaults(rate=0.3, seed=7, stall_seconds=2.0)
    with serve_web(world.path, faults) as app:
        async with PoliteClient(
            app.state.base_url, rate=1000, timeout=0.5, backoff=0.05, retries=8
        ) as client:
            result = await sync_web_channel(engine.begin, client, ch, "daily", NOW)
    assert result.complete and result.page is not None and result.page.kind == "preview"
    assert sum(faults.injected.values()) > 0
    stored = await _stored(engine)
    assert sorted(stored) == list(range(1, 91))
    assert all(text == f"post {n - 1}" for n, (text, _) in stored.items())


async def test_a_post_telegram_captured_is_never_overwritten(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch = _world(tmp_path, 5)
    await _add(engine, ch)
    async with engine.begin() as conn:
        await save_messages(
            conn,
            [MessageRow(channel_id=ch, msg_id=3, date=1, text="post 2", views=12, forwards=4)],
            NOW,
        )
    with serve_web(world.path) as app:
        async with PoliteClient(app.state.base_url, rate=1000) as client:
            await sync_web_channel(engine.begin, client, ch, "daily", NOW)
    stored = await _stored(engine)
    assert stored[3] == ("post 2", "telegram") and len(stored) == 5
    assert stored[4] == ("post 3", "web")


def test_web_only_channel_ids_are_stable_and_out_of_telegram_range() -> None:
    assert web_channel_id("Daily") == web_channel_id("daily") > 2**41
    assert web_channel_id("daily") != web_channel_id("weekly") and web_channel_id("x") < 2**53
