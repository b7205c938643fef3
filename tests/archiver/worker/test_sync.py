"""Backfill through the real Telethon client over the simulated Telegram into real SQLite."""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa

from archiver.db.schema import channels, media_files, message_media, messages, sync_state
from archiver.simulator import Document, Photo
from archiver.simulator.media_files import png_gradient
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels


async def _stored_ids(ctx, channel_id: int) -> list[int]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(messages.c.msg_id)
            .where(messages.c.channel_id == channel_id)
            .order_by(messages.c.id)
        )
        return [r.msg_id for r in rows]


async def test_250_message_channel_is_archived_completely_once(world, sim_worker) -> None:
    ch = world.add_channel("news_en", "News")
    for i in range(250):
        world.post(ch, text=f"post number {i}", push=False)
    async with sim_worker() as ctx:
        assert (await add_channel(ctx, "@news_en")).error is None
        report = await sync_channels(ctx)
        assert report.ok, report
        stored = await _stored_ids(ctx, ch)
        again = await sync_channels(ctx)
        assert await _stored_ids(ctx, ch) == stored
    assert sorted(stored) == [m["msg_id"] for m in world.messages(ch)]
    assert stored == sorted(stored, reverse=True)  # archived newest first
    assert len(set(stored)) == 250
    assert report.outcomes[0].inserted == 250
    assert again.outcomes[0].inserted == 0


async def test_new_posts_after_a_sync_are_added_without_gap(world, sim_worker) -> None:
    ch = world.add_channel("grow", "Growing")
    for i in range(120):
        world.post(ch, text=f"a{i}", push=False)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@grow")
        await sync_channels(ctx)
        for i in range(130):
            world.post(ch, text=f"b{i}", push=False)
        await sync_channels(ctx)
        stored = await _stored_ids(ctx, ch)
        async with ctx.read() as conn:
            state = (await conn.execute(sa.select(sync_state))).one()
    assert sorted(stored) == list(range(1, 251))
    assert (state.synced_max_id, state.pass_max_id) == (250, None)


async def test_media_bytes_equal_the_world_and_duplicates_are_stored_once(
    world, sim_worker, sim_config
) -> None:
    ch = world.add_channel("pics", "Pictures")
    image = png_gradient(40, 30, 3)
    world.post(ch, text="one", media=Photo(image, 40, 30), push=False)
    world.post(ch, text="same picture again", media=Photo(image, 40, 30), push=False)
    doc = b"%PDF-1.4 report " * 1000
    world.post(
        ch, media=Document(doc, "application/pdf", file_name="report.pdf", thumb=False), push=False
    )
    async with sim_worker() as ctx:
        await add_channel(ctx, "@pics")
        report = await sync_channels(ctx)
        async with ctx.read() as conn:
            files = (await conn.execute(sa.select(media_files))).all()
            statuses = (await conn.execute(sa.select(message_media.c.status))).scalars().all()
    assert report.outcomes[0].media_stored == 3
    assert statuses == ["stored"] * 3
    assert len(files) == 2
    on_disk = {f.sha256: (sim_config.media_dir / f.path).read_bytes() for f in files}
    assert on_disk[hashlib.sha256(image).hexdigest()] == image
    assert on_disk[hashlib.sha256(doc).hexdigest()] == doc


async def test_flood_wait_and_expired_file_reference_are_survived(world, sim_worker) -> None:
    ch = world.add_channel("busy", "Busy")
    image = png_gradient(20, 20, 5)
    for i in range(150):
        world.post(ch, text=f"p{i}", push=False)
    world.post(ch, media=Photo(image, 20, 20), push=False)
    world.fail_next("GetHistoryRequest", "FLOOD_WAIT_2", times=1)
    world.fail_next("GetFileRequest", "FILE_REFERENCE_EXPIRED", times=1)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@busy")
        report = await sync_channels(ctx)
        stored = await _stored_ids(ctx, ch)
    assert report.ok, report
    assert sorted(stored) == list(range(1, 152))
    assert report.outcomes[0].media_stored == 1


async def test_channel_whose_username_changed_is_synced_by_id(world, sim_worker) -> None:
    ch = world.add_channel("oldname", "Renamed later")
    for i in range(10):
        world.post(ch, text=f"x{i}", push=False)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@oldname")
        world.set_username(ch, "newname", push=False)
        world.rename(ch, "Brand new title", push=False)
        for i in range(5):
            world.post(ch, text=f"y{i}", push=False)
        report = await sync_channels(ctx)
        stored = await _stored_ids(ctx, ch)
        async with ctx.read() as conn:
            row = (await conn.execute(sa.select(channels.c.username, channels.c.title))).one()
    assert report.ok, report
    assert sorted(stored) == list(range(1, 16))
    assert tuple(row) == ("newname", "Brand new title")


async def test_unknown_channel_is_one_clear_error_and_others_still_added(world, sim_worker) -> None:
    world.add_channel("exists", "Exists")
    async with sim_worker() as ctx:
        bad = await add_channel(ctx, "@doesnotexist")
        good = await add_channel(ctx, "https://t.me/s/exists")
    assert bad.channel is None and "no channel has this username" in bad.error
    assert good.channel is not None and good.channel.username == "exists"


async def test_failed_media_is_recorded_and_retried_next_sync(world, sim_worker) -> None:
    ch = world.add_channel("flaky", "Flaky")
    image = png_gradient(24, 24, 9)
    world.post(ch, media=Photo(image, 24, 24), push=False)
    world.fail_next("GetFileRequest", "LOCATION_INVALID", times=1)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@flaky")
        first = await sync_channels(ctx)
        async with ctx.read() as conn:
            failed = (
                await conn.execute(sa.select(message_media.c.status, message_media.c.error))
            ).one()
        second = await sync_channels(ctx)
    assert first.outcomes[0].media_failed == 1
    assert failed.status == "failed" and failed.error
    assert second.outcomes[0].media_stored == 1


async def test_long_flood_wait_pauses_the_channel_and_nothing_is_skipped(world, sim_worker) -> None:
    a = world.add_channel("slow_one", "Slow")
    b = world.add_channel("fast_one", "Fast")
    for i in range(250):
        world.post(a, text=f"a{i}", push=False)
        world.post(b, text=f"b{i}", push=False)
    async with sim_worker() as ctx:
        ctx.max_flood_wait = 0
        await add_channel(ctx, "@slow_one")
        await add_channel(ctx, "@fast_one")
        world.fail_next("GetHistoryRequest", "FLOOD_WAIT_120", times=1, channel=a)
        first = await sync_channels(ctx)
        outcomes = {o.channel_id: o.outcome for o in first.outcomes}
        async with ctx.read() as conn:
            paused = (
                await conn.execute(
                    sa.select(sync_state.c.paused_until).where(sync_state.c.channel_id == a)
                )
            ).scalar()
    assert outcomes[a] == "paused"
    assert paused is not None
    later = time.time() + 200
    async with sim_worker() as ctx:
        ctx.clock = lambda: later
        second = await sync_channels(ctx)
        assert second.ok, second
        assert sorted(await _stored_ids(ctx, a)) == list(range(1, 251))
        assert sorted(await _stored_ids(ctx, b)) == list(range(1, 251))
