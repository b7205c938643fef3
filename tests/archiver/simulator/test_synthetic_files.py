"""Synthetic files: content generated from a seed on demand, never stored in the world file,
served and hashed like stored files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from telethon import errors, functions, types

from archiver.db.schema import message_media
from archiver.simulator import Document, Synthetic, World
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels

MB, MIB = 1_000_000, 1 << 20


def post_synthetic(world: World, size: int, seed: int = 1, **kw: object) -> int:
    """Post a synthetic document in the world's first channel; returns its file id."""
    ch = world.channel_ids()[0]
    doc = Document(Synthetic(size, seed), "application/zip", file_name="big.zip", **kw)
    world.post(ch, "file", media=doc, push=False)
    return int(world.messages(ch)[-1]["media"]["file_id"])


def world_file_bytes(world: World) -> int:
    """What the world occupies on disk: the database and its write-ahead log."""
    return sum(
        Path(f"{world.path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{world.path}{suffix}").exists()
    )


def location(doc: types.Document) -> types.InputDocumentFileLocation:
    return types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")


async def test_a_40_mb_file_archived_through_tgmirror_has_the_worlds_sha256(
    world: World, sim_worker, sim_config
) -> None:
    file_id = post_synthetic(world, 40 * MB, seed=40)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@news_ar")
        report = await sync_channels(ctx)
        async with ctx.read() as conn:
            rows = (
                await conn.execute(sa.select(message_media.c.status, message_media.c.sha256))
            ).all()
    assert report.outcomes[0].media_stored == 1
    assert rows == [("stored", world.file_sha256(file_id))]
    stored = sim_config.media_dir.rglob("*")
    (path,) = [p for p in stored if p.is_file()]
    assert path.stat().st_size == 40 * MB
    assert hashlib.sha256(path.read_bytes()).hexdigest() == world.file_sha256(file_id)
    assert world.file_bytes_served() == 40 * MB


def test_the_world_file_stays_small_while_its_files_are_large(world: World) -> None:
    sizes = [40 * MB, 25 * MB, 10 * MB, 100_000]
    for seed, size in enumerate(sizes):
        post_synthetic(world, size, seed=seed)
    assert world_file_bytes(world) < sum(sizes) // 100


def test_ranges_are_the_same_in_another_world_instance_and_another_process(
    world: World,
) -> None:
    file_id = post_synthetic(world, 3 * MIB + 777, seed=9)
    other = World.open(world.path)
    ranges = [(0, 4096), (MIB - 10, 20), (2 * MIB + 5, MIB), (3 * MIB, MIB), (5 * MIB, 10)]
    try:
        for offset, limit in ranges:
            assert world.file_range(file_id, offset, limit) == other.file_range(
                file_id, offset, limit
            )
    finally:
        other.close()
    whole = world.file_bytes(file_id)
    assert [world.file_range(file_id, o, n) for o, n in ranges] == [
        whole[o : o + n] for o, n in ranges
    ]
    code = (
        "import hashlib, sys; from archiver.simulator import World;"
        "w = World.open(sys.argv[1]); print(hashlib.sha256(w.file_bytes(int(sys.argv[2])))"
        ".hexdigest(), w.file_range(int(sys.argv[2]), 2 * 2**20 + 5, 64).hex())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(world.path), str(file_id)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [world.file_sha256(file_id), whole[2 * MIB + 5 : 2 * MIB + 69].hex()]


def test_the_worlds_sha256_is_that_of_the_bytes_it_serves(world: World) -> None:
    synthetic = post_synthetic(world, 2 * MIB + 3, seed=5)
    ch = world.channel_ids()[0]
    world.post(ch, media=Document(b"stored bytes", "text/plain"), push=False)
    stored = world.messages(ch)[-1]["media"]["file_id"]
    for file_id in (synthetic, stored):
        assert world.file_sha256(file_id) == hashlib.sha256(world.file_bytes(file_id)).hexdigest()
    assert world.file_bytes(stored) == b"stored bytes"


def test_different_seeds_give_different_bytes_and_the_same_seed_the_same(world: World) -> None:
    a, b, c = (post_synthetic(world, 100_000, seed=s) for s in (1, 2, 1))
    assert world.file_bytes(a) != world.file_bytes(b)
    assert world.file_bytes(a) == world.file_bytes(c)
    assert len(world.file_bytes(a)) == 100_000


async def test_a_synthetic_file_on_another_dc_downloads_through_file_migrate(
    world: World, connect
) -> None:
    file_id = post_synthetic(world, 3 * MIB, seed=3)
    world.set_file_dc(file_id, 5)
    client = await connect()
    message = (await client.get_messages("news_ar", limit=1))[0]
    with pytest.raises(errors.FileMigrateError):
        await client(functions.upload.GetFileRequest(location(message.document), 0, MIB))
    data = await client.download_media(message, bytes)
    assert hashlib.sha256(data).hexdigest() == world.file_sha256(file_id)
    assert world.file_bytes_served() == 3 * MIB


async def test_get_file_rules_and_reference_expiry_apply_to_synthetic_files(
    world: World, connect
) -> None:
    file_id = post_synthetic(world, 2 * MIB, seed=4)
    world.set_file_dc(file_id, 2)
    client = await connect()
    message = (await client.get_messages("news_ar", limit=1))[0]
    loc = location(message.document)
    with pytest.raises(errors.LimitInvalidError):  # crosses a 1 MiB boundary
        await client(functions.upload.GetFileRequest(loc, MIB - 4096, 8192))
    with pytest.raises(errors.OffsetInvalidError):
        await client(functions.upload.GetFileRequest(loc, 1000, 4096, precise=False))
    part = await client(functions.upload.GetFileRequest(loc, MIB + 1024, 1024, precise=True))
    assert part.bytes == world.file_range(file_id, MIB + 1024, 1024)
    world.set_file_reference_lifetime(0.001)
    with pytest.raises(errors.FileReferenceExpiredError):
        await client(functions.upload.GetFileRequest(loc, 0, 4096))


async def test_a_synthetic_video_carries_a_real_jpeg_thumbnail(world: World, connect) -> None:
    file_id = post_synthetic(world, 5 * MB, seed=6, kind="video", duration=30, width=1280)
    thumb = world.thumb_file_id(file_id)
    assert thumb is not None
    assert world.file_bytes(thumb)[:3] == b"\xff\xd8\xff"  # JPEG start of image
    client = await connect()
    message = (await client.get_messages("news_ar", limit=1))[0]
    data = await client.download_media(message, bytes, thumb=-1)
    assert data == world.file_bytes(thumb)
