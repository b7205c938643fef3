"""Media downloads: 1 MiB parts from the file's own DC, resumed from parts on disk, thumbnails."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from telethon.tl import types

from archiver.db.schema import media_files, message_media
from archiver.media.partial import PartialFile
from archiver.simulator import Document, World
from archiver.simulator.media_files import mp4_minimal
from archiver.telegram.dc_connections import DcConnections
from archiver.telegram.file_location import FileSource, file_source
from archiver.worker.backfill import backfill_channel
from archiver.worker.channels import add_channel
from archiver.worker.file_download import PART_SIZE, FileDownload
from archiver.worker.media import partial_dir
from archiver.worker.sync import sync_channels

MIB = 1 << 20


def blob(size: int, seed: int = 7) -> bytes:
    """`size` bytes that differ from part to part (so a misplaced part changes the hash)."""
    block = hashlib.sha256(b"%d" % seed).digest() * (MIB // 32)
    return b"".join(bytes([n % 251]) + block[1:] for n in range(size // MIB + 1))[:size]


async def _rows(ctx):
    async with ctx.read() as conn:
        media = (
            await conn.execute(
                sa.select(
                    message_media.c.role,
                    message_media.c.status,
                    message_media.c.sha256,
                    message_media.c.size,
                    message_media.c.error,
                ).order_by(message_media.c.id)
            )
        ).all()
        files = {r.sha256: r.path for r in await conn.execute(sa.select(media_files))}
    return media, files


async def test_a_large_file_comes_in_1_mib_parts_from_its_own_dc(
    world: World, sim_worker, sim_config
) -> None:
    ch = world.add_channel("bigfiles", "Big files")
    data = blob(3 * MIB + 12345)
    world.post(ch, media=Document(data, "application/zip", file_name="a.zip"), push=False)
    file_id = world.messages(ch)[0]["media"]["file_id"]
    world.set_file_dc(file_id, 4)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@bigfiles")
        report = await sync_channels(ctx)
        media, files = await _rows(ctx)
    assert report.outcomes[0].media_stored == 1
    sha = hashlib.sha256(data).hexdigest()
    assert media == [("main", "stored", sha, len(data), None)]
    assert (sim_config.media_dir / files[sha]).read_bytes() == data
    assert sorted(world.served_parts(file_id)) == [
        (0, MIB),
        (MIB, MIB),
        (2 * MIB, MIB),
        (3 * MIB, 12345),
    ]
    assert list(partial_dir_of(sim_config).iterdir()) == []


def partial_dir_of(config):
    return config.storage.data_dir / "partial"


async def test_a_download_resumes_from_the_parts_already_on_disk(
    world: World, sim_worker, sim_config
) -> None:
    ch = world.add_channel("bigfiles", "Big files")
    data = blob(4 * MIB)
    world.post(ch, media=Document(data, "application/zip", file_name="a.zip"), push=False)
    file_id = world.messages(ch)[0]["media"]["file_id"]
    async with sim_worker() as ctx:
        added = await add_channel(ctx, "@bigfiles")
        await backfill_channel(ctx, ctx.accounts.accounts[0], added.channel)
        async with ctx.read() as conn:
            media_id = (await conn.execute(sa.select(message_media.c.id))).scalar_one()
        # What an earlier, killed run left: parts 0 and 2 done (part 1 was in flight).
        earlier = PartialFile(partial_dir(ctx), f"m{media_id}", file_id, len(data), PART_SIZE)
        await earlier.write_part(0, data[:MIB])
        await earlier.write_part(2, data[2 * MIB : 3 * MIB])
        with open(earlier.log, "a") as log:
            log.write("3")  # a line torn by the crash does not count
        report = await sync_channels(ctx)
        media, files = await _rows(ctx)
    sha = hashlib.sha256(data).hexdigest()
    assert report.outcomes[0].media_stored == 1
    assert media == [("main", "stored", sha, len(data), None)]
    assert (sim_config.media_dir / files[sha]).read_bytes() == data
    assert sorted(world.served_parts(file_id)) == [(MIB, MIB), (3 * MIB, MIB)]


async def test_a_video_too_big_to_keep_still_has_its_thumbnail(
    world: World, sim_worker, make_config
) -> None:
    config = make_config(
        {"simulator": {"world": str(world.path)}, "archive": {"max_file_size_mb": 1}}
    )
    ch = world.add_channel("films", "Films")
    video = mp4_minimal(30, 3) + blob(2 * MIB)
    world.post(
        ch,
        media=Document(video, "video/mp4", "video", "film.mp4", duration=30, width=640, height=360),
        push=False,
    )
    thumb = world.file_bytes(world.thumb_file_id(world.messages(ch)[0]["media"]["file_id"]))
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@films")
        await sync_channels(ctx)
        media, files = await _rows(ctx)
    sha = hashlib.sha256(thumb).hexdigest()
    assert [(m.role, m.status) for m in media] == [("main", "skipped"), ("thumb", "stored")]
    assert media[1].sha256 == sha
    stored = (config.media_dir / files[sha]).read_bytes()
    assert stored == thumb and stored.startswith(b"\xff\xd8\xff")


async def test_a_download_follows_file_migrate_and_expired_references(
    world: World, sim_worker, tmp_path
) -> None:
    ch = world.add_channel("moving", "Moving")
    data = blob(2 * MIB + 10)
    world.post(ch, media=Document(data, "application/zip"), push=False)
    file_id = world.messages(ch)[0]["media"]["file_id"]
    world.set_file_dc(file_id, 1)
    async with sim_worker() as ctx:
        client = ctx.accounts.accounts[0].client
        peer = await client.get_input_entity("@moving")
        message = await client.get_messages(peer, ids=1)
        source = file_source(message, "main")
        assert source is not None and source.dc_id == 1
        world.set_file_dc(file_id, 3)  # the file moved after we read the message
        world.fail_next("GetFileRequest", "FILE_REFERENCE_EXPIRED")
        refreshed: list[FileSource | None] = []

        async def refresh() -> FileSource | None:
            refreshed.append(file_source(await client.get_messages(peer, ids=1), "main"))
            return refreshed[-1]

        partial = PartialFile(tmp_path / "p", "f", file_id, len(data), PART_SIZE)
        async with DcConnections(client) as dcs:
            fetched = await FileDownload(dcs, source, partial, refresh).run(parallel=2)
    assert fetched == 3 and len(refreshed) == 1
    assert b"".join(partial.chunks()) == data


def test_an_inline_thumbnail_needs_no_download() -> None:
    doc = types.Document(
        id=5,
        access_hash=6,
        file_reference=b"r",
        date=None,
        mime_type="video/mp4",
        size=10,
        dc_id=4,
        attributes=[],
        thumbs=[types.PhotoCachedSize("s", 90, 50, b"\xff\xd8jpeg")],
    )
    message = types.Message(
        1, types.PeerChannel(1), None, "", media=types.MessageMediaDocument(document=doc)
    )
    source = file_source(message, "thumb")
    assert source is not None and source.inline == b"\xff\xd8jpeg" and source.dc_id == 4
    assert file_source(message, "main") == FileSource(
        5, types.InputDocumentFileLocation(5, 6, b"r", ""), 4, 10
    )


async def test_the_parts_of_a_file_gone_from_telegram_are_dropped(
    world: World, sim_worker, sim_config
) -> None:
    ch = world.add_channel("bigfiles", "Big files")
    data = blob(2 * MIB)
    world.post(ch, media=Document(data, "application/zip"), push=False)
    world.post(ch, "still here", push=False)
    file_id = world.messages(ch)[0]["media"]["file_id"]
    async with sim_worker() as ctx:
        added = await add_channel(ctx, "@bigfiles")
        await backfill_channel(ctx, ctx.accounts.accounts[0], added.channel)
        async with ctx.read() as conn:
            media_id = (await conn.execute(sa.select(message_media.c.id))).scalar_one()
        earlier = PartialFile(partial_dir(ctx), f"m{media_id}", file_id, len(data), PART_SIZE)
        await earlier.write_part(0, data[:MIB])
        world.delete(ch, [1], push=False)
        await sync_channels(ctx)
        media, _ = await _rows(ctx)
    assert [(m.status, m.error) for m in media] == [("failed", "message no longer on Telegram")]
    assert list(partial_dir_of(sim_config).iterdir()) == []
