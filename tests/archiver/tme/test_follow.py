"""Archiving a channel from t.me/s alone: backfill to the first post, resume after a stop,
edits as revisions, faults never stored as anything, Telegram's captures never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.db.schema import message_revisions, messages
from archiver.rows import ChannelRow, MessageRow
from archiver.simulator import World
from archiver.simulator.web_preview import WebFaults, serve_web
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages
from archiver.tme.absences import Confirmations
from archiver.tme.client import PoliteClient, WebUnavailable
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


async def _tombstones(engine: AsyncEngine) -> dict[int, str]:
    async with engine.begin() as conn:
        rows = await conn.execute(
            sa.select(messages.c.msg_id, messages.c.deleted_how).where(
                messages.c.deleted_at.is_not(None)
            )
        )
        return {r.msg_id: r.deleted_how for r in rows}


async def test_a_missing_post_is_tombstoned_only_after_the_usual_confirmations(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch = _world(tmp_path, 70)
    await _add(engine, ch)
    rule = Confirmations(count=3, interval=600)
    with serve_web(world.path) as app:
        async with PoliteClient(app.state.base_url, rate=1000) as client:

            async def read(at: int) -> dict[int, str]:
                await sync_web_channel(engine.begin, client, ch, "daily", at, rule=rule)
                return await _tombstones(engine)

            assert await read(NOW) == {}
            world.delete(ch, [65, 66], push=False)
            assert await read(NOW + 10) == {}  # one read without them: a signal, no more
            assert await read(NOW + 20) == {}  # too soon after the last to count again
            with world.transaction() as conn:  # 66 shown again: its signals are forgotten
                conn.execute(
                    "UPDATE messages SET deleted = 0 WHERE channel_id = ? AND id = 66", (ch,)
                )
            assert await read(NOW + 700) == {}
            with world.transaction() as conn:
                conn.execute(
                    "UPDATE messages SET deleted = 1 WHERE channel_id = ? AND id = 66", (ch,)
                )
            assert await read(NOW + 1400) == {65: "web"}  # the third signal, 600 s apart
            assert await read(NOW + 2100) == {65: "web"}
            assert await read(NOW + 2800) == {65: "web", 66: "web"}
    stored = await _stored(engine)
    assert stored[65] == ("post 64", "web")  # a tombstone keeps the content


async def test_a_post_shown_again_loses_the_tombstone_t_me_gave_it(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """As a post the Telegram source sees again: but t.me/s lifts only its own tombstones, not
    one Telegram established (a deletion update is authoritative, a page may be stale)."""
    world, ch = _world(tmp_path, 30)
    await _add(engine, ch)
    rule = Confirmations(count=1, interval=1)
    with serve_web(world.path) as app:
        async with PoliteClient(app.state.base_url, rate=1000) as client:

            async def read(at: int) -> dict[int, str]:
                await sync_web_channel(engine.begin, client, ch, "daily", at, rule=rule)
                return await _tombstones(engine)

            await read(NOW)
            world.delete(ch, [25, 26], push=False)
            assert await read(NOW + 10) == {25: "web", 26: "web"}
            async with engine.begin() as conn:  # as if Telegram's deletion update said so
                await conn.execute(
                    sa.update(messages).where(messages.c.msg_id == 26).values(deleted_how="update")
                )
            with world.transaction() as conn:  # t.me shows both again
                conn.execute(
                    "UPDATE messages SET deleted = 0 WHERE channel_id = ? AND id IN (25, 26)",
                    (ch,),
                )
            assert await read(NOW + 20) == {26: "update"}
    assert (await _stored(engine))[25] == ("post 24", "web")


async def test_faults_and_cut_off_pages_never_make_a_tombstone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch = _world(tmp_path, 30)
    await _add(engine, ch)
    rule = Confirmations(count=1, interval=1)
    faults = WebFaults(rate=0.0, seed=5, kinds=("5xx", "truncated"))
    with serve_web(world.path, faults) as app:
        async with PoliteClient(app.state.base_url, rate=1000, backoff=0.01, retries=2) as client:
            await sync_web_channel(engine.begin, client, ch, "daily", NOW, rule=rule)
            world.post(ch, "post 30", push=False)
            faults.rate = 1.0  # from now on every answer is a 502 or a body cut off
            for n in range(5):
                with pytest.raises(WebUnavailable):
                    await sync_web_channel(
                        engine.begin, client, ch, "daily", NOW + 10 * (n + 1), rule=rule
                    )
    assert set(faults.injected) == {"5xx", "truncated"}
    assert await _tombstones(engine) == {}
    assert sorted(await _stored(engine)) == list(range(1, 31))
