"""Synthetic files in the simulator: serving speed against stored files, and the cost of a
world of the issue's size.

In the same run:
- a stored file and a synthetic file of the same size, read by ``World.file_range`` in 1 MiB
  parts, and downloaded by a real Telethon client through ``upload.GetFile`` (1 MiB parts, no
  network model: the simulator's own cost); the stored file is the baseline;
- a world built as bench/realistic.py builds it (channels of text posts, files of log-uniform
  sizes), with synthetic files: build time and the world file's size against its files' total.

    python bench/synthetic_files.py [--mb 64] [--channels 50] [--posts 2000] [--files 300]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from pathlib import Path

from telethon import TelegramClient, functions, types
from telethon.sessions import StringSession

from archiver.simulator import Document, Synthetic, World, attach, synthetic

MIB = 1 << 20


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def post_pair(world: World, size: int) -> tuple[int, int]:
    """(stored file id, synthetic file id), both `size` bytes of the same kind, on the home DC
    (different seeds: a synthetic file with a stored twin would be read from the stored one)."""
    ch = world.add_channel("pair", "Pair")
    raw = synthetic.read(1, size, 0, size)
    ids = []
    for data in (raw, Synthetic(size, seed=2)):
        world.post(ch, media=Document(data, "application/zip"), push=False)
        file_id = world.messages(ch)[-1]["media"]["file_id"]
        world.set_file_dc(file_id, 2)
        ids.append(file_id)
    return ids[0], ids[1]


def range_rate(world: World, file_id: int, size: int) -> float:
    started = time.perf_counter()
    for offset in range(0, size, MIB):
        world.file_range(file_id, offset, MIB)
    return size / MIB / (time.perf_counter() - started)


async def get_file_rate(world: World, index: int, size: int) -> float:
    client = TelegramClient(StringSession(), api_id=1, api_hash="x")
    attach(client, world.path)
    await client.connect()
    try:
        message = (await client.get_messages("pair", limit=2))[::-1][index]
        doc = message.document
        loc = types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")
        started = time.perf_counter()
        for offset in range(0, size, MIB):
            await client(functions.upload.GetFileRequest(loc, offset, MIB))
        return size / MIB / (time.perf_counter() - started)
    finally:
        await client.disconnect()


def build_realistic(path: Path, channels: int, posts: int, files: int) -> tuple[float, int]:
    """Seconds to build bench/realistic.py's world with synthetic files, and their total size."""
    rng = random.Random(13)
    started = time.perf_counter()
    world = World.create(path)
    ids = [world.add_channel(f"chan_{n:03d}", f"Channel {n}") for n in range(channels)]
    low, high = math.log(100_000), math.log(40_000_000)
    sizes = iter([int(math.exp(rng.uniform(low, high))) for _ in range(files)])
    slots = set(rng.sample(range(channels * posts), files))
    total = 0
    for n, ch in enumerate(ids):
        with world.transaction():
            for i in range(posts):
                media = None
                if n * posts + i in slots:
                    size = next(sizes)
                    total += size
                    media = Document(Synthetic(size, rng.randrange(1 << 62)), "a/b")
                world.post(ch, f"post {i} of channel {n}", media=media, push=False)
    world.close()
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=64, help="MiB per file of the serving rows")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()
    size = args.mb * MIB
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = World.create(root / "pair.sqlite")
        stored, synthetic = post_pair(world, size)
        rates = {
            "World.file_range": (
                range_rate(world, stored, size),
                range_rate(world, synthetic, size),
            ),
            "upload.GetFile via Telethon": (
                asyncio.run(get_file_rate(world, 0, size)),
                asyncio.run(get_file_rate(world, 1, size)),
            ),
        }
        world.close()
        built, total = build_realistic(root / "big.sqlite", args.channels, args.posts, args.files)
        on_disk = disk_size(root / "big.sqlite")
    print(f"serving: one file of {args.mb} MiB, 1 MiB parts")
    print("| what | stored MiB/s (baseline) | synthetic MiB/s | ratio |")
    print("|---|---|---|---|")
    for what, (base, ours) in rates.items():
        print(f"| {what} | {base:,.0f} | {ours:,.0f} | {ours / base:.2f} |")
    print()
    print(
        f"world: {args.channels} x {args.posts} posts, {args.files} synthetic files of"
        f" {total / MIB:,.0f} MiB: built in {built:.1f} s"
        f" ({args.channels * args.posts / built:,.0f} posts/s); world file {on_disk / MIB:.1f} MiB"
        f" ({on_disk / total:.2%} of its files)"
    )


if __name__ == "__main__":
    main()
