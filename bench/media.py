"""Media throughput: tgmirror's downloader against a plain sequential ``download_media``.

Builds a simulated channel of files from 100 KB to 8 MB spread over DCs 1-5, turns on the
network model (RTT and bandwidth per connection, ``World.set_network``), then in the same run:

- baseline: a Telethon client downloads every file with ``client.download_media``, one after
  the other (Telethon's default path: 128 KiB requests, an exported sender per DC);
- tgmirror: the archiver's media pass (``download_channel_media``: 1 MiB parts from each file's
  DC, ``media.parallel_parts`` parts and ``media.parallel_files`` files at once), into the store.

Both download the same bytes; every stored file is checked against the world's sha256.

    python bench/media.py [--rtt-ms 80] [--bandwidth 3000000] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from telethon import TelegramClient
from telethon.sessions import StringSession

from archiver.config import config_from_dict
from archiver.db.engine import open_engine, upgrade
from archiver.db.schema import media_files
from archiver.simulator import Document, World, attach
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.backfill import backfill_channel
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.media import download_channel_media

KB, MB = 1000, 1000 * 1000
FILES = [(8 * MB, 2), (2 * MB, 6), (300 * KB, 12), (100 * KB, 10)]
"""(size, how many): 32.6 MB in 30 files."""


def make_world(path: Path, scale: float) -> tuple[World, dict[str, int]]:
    """A channel of documents; returns the world and {sha256: size} of its files."""
    world = World.create(path)
    channel = world.add_channel("mediabench", "Media bench")
    expected: dict[str, int] = {}
    n = 0
    for size, count in FILES:
        for _ in range(count):
            n += 1
            block = hashlib.sha256(b"%d" % n).digest()
            data = (block * (int(size * scale) // 32 + 1))[: int(size * scale)]
            media = Document(data, "application/zip", file_name=f"f{n}.zip")
            world.post(channel, f"file {n}", media=media, push=False)
            expected[hashlib.sha256(data).hexdigest()] = len(data)
    return world, expected


async def baseline(world: World) -> float:
    """Seconds for Telethon's sequential download_media of every file."""
    client = TelegramClient(StringSession(), api_id=1, api_hash="x", flood_sleep_threshold=60)
    attach(client, world.path)
    await client.connect()
    try:
        messages = [m async for m in client.iter_messages("mediabench", wait_time=0)]
        started = time.perf_counter()
        for message in messages:
            await client.download_media(message, bytes)
        return time.perf_counter() - started
    finally:
        await client.disconnect()


async def tgmirror(root: Path, world: World, expected: dict[str, int]) -> float:
    """Seconds for the archiver's media pass over the same files (after a backfill)."""
    config = config_from_dict(
        {
            "simulator": {"world": str(world.path)},
            "storage": {"data_dir": "d"},
            "archive": {"max_file_size_mb": 100},
        },
        root,
    )
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = make_client(config)
    await client.connect()
    await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    try:
        channel = (await add_channel(ctx, "@mediabench")).channel
        assert channel is not None
        await backfill_channel(ctx, ctx.accounts.primary, channel)
        started = time.perf_counter()
        result = await download_channel_media(ctx, ctx.accounts.primary, channel)
        elapsed = time.perf_counter() - started
        async with ctx.read() as conn:
            rows = await conn.execute(sa.select(media_files))
            stored = {r.sha256: r.path for r in rows}
    finally:
        await client.disconnect()
        await engine.dispose()
    assert result.stored == len(expected) and result.failed == 0, result
    for sha, path in stored.items():
        data = (config.media_dir / path).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha, expected[sha])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtt-ms", type=float, default=80)
    parser.add_argument("--bandwidth", type=float, default=3_000_000, help="bytes/s per connection")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every file size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world, expected = make_world(root / "w.sqlite", args.scale)
        if not hasattr(world, "set_network"):
            raise SystemExit(
                "bench/media.py needs World.set_network (the simulator's network "
                "model); merge the branch that adds it first"
            )
        world.set_network(rtt_ms=args.rtt_ms, bytes_per_second=args.bandwidth)
        total = sum(expected.values()) / MB
        base = asyncio.run(baseline(world))
        ours = asyncio.run(tgmirror(root, world, expected))
        world.close()
    print(
        f"network: RTT {args.rtt_ms:.0f} ms, {args.bandwidth / MB:.1f} MB/s per connection; "
        f"{len(expected)} files, {total:.1f} MB over DCs 1-5"
    )
    print("| what | seconds | MB/s | ratio |")
    print("|---|---|---|---|")
    print(f"| baseline: sequential download_media | {base:.1f} | {total / base:.2f} | 1.00 |")
    print(f"| tgmirror media pass | {ours:.1f} | {total / ours:.2f} | {base / ours:.2f} |")


if __name__ == "__main__":
    main()
