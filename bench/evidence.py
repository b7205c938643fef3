"""Evidence: ``tgmirror verify`` speed (captures/s), and bundle latency, next to a baseline.

Builds an archive of N posts through the store (``save_messages`` in batches of 1,000, so every
post is one ``post`` capture, plus an edit on every tenth post), signs a head, then times
``verify_archive`` (database recomputation of every capture, no media). Baseline in the same
run: reading the same log rows and SHA-256 over their bytes, the least any verification does.
Bundle latency: p50 of building the evidence bundle of random posts with a warm tree cache.

    python bench/evidence.py [--posts 200000] [--bundles 50]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
from pathlib import Path

from archiver.db.engine import open_engine, upgrade
from archiver.evidence.bundle import build_bundle
from archiver.evidence.bundle_source import bundle_parts
from archiver.evidence.merkle import Tree
from archiver.evidence.signing import sign_new_head
from archiver.evidence.verify import verify_archive
from archiver.media.local import LocalMediaStore
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.evidence_log import iter_log
from archiver.store.messages import save_messages

TARGET = 50_000
WORDS = "свобода правда новости город вечер площадь people news report today".split()  # noqa: SIM905


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))


async def build(root: Path, posts: int) -> tuple[object, Path]:
    engine = open_engine(f"sqlite+aiosqlite:///{root}/tgmirror.db")
    await upgrade(engine)
    rng = random.Random(3)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=1, access_hash=None, title="bench"), 0)
    for start in range(0, posts, 1000):
        rows = [
            MessageRow(
                channel_id=1,
                msg_id=i + 1,
                date=1_700_000_000 + i,
                text=_text(rng),
                entities=[{"type": "bold", "offset": 0, "length": 4}],
            )
            for i in range(start, min(posts, start + 1000))
        ]
        async with engine.begin() as conn:
            await save_messages(conn, rows, 1_700_000_000 + start)
    edits = [
        MessageRow(
            channel_id=1,
            msg_id=i + 1,
            date=1_700_000_000 + i,
            text="edited " + str(i),
            edit_date=1_760_000_000,
        )
        for i in range(0, posts, 10)
    ]
    for start in range(0, len(edits), 1000):
        async with engine.begin() as conn:
            await save_messages(conn, edits[start : start + 1000], 1_760_000_000)
    await sign_new_head(engine, root, 1_760_000_100)
    return engine, root


async def baseline(engine) -> tuple[float, int]:
    started = time.perf_counter()
    count = 0
    async with engine.connect() as conn:
        async for chunk in iter_log(conn):
            for c in chunk:
                hashlib.sha256(b"\x00" + c.leaf.encode()).digest()
                count += 1
    return time.perf_counter() - started, count


async def main(posts: int, bundles: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        engine, data_dir = await build(root, posts)
        print(f"archive of {posts} posts built in {time.perf_counter() - t0:.1f} s")
        media = LocalMediaStore(root / "media")
        ours, base = [], []
        captures = 0
        for _ in range(runs):
            elapsed, captures = await baseline(engine)
            base.append(captures / elapsed)
            started = time.perf_counter()
            report = await verify_archive(engine, media, None, hash_files=False)
            ours.append(report.captures / (time.perf_counter() - started))
            bad = [p for p in report.problems if "no archive key" not in p]
            assert not bad, bad[:3]
        from archiver.evidence.archive_key import existing_public_key

        assert existing_public_key(data_dir) is not None
        rng = random.Random(5)
        tree = Tree()
        latencies = []
        async with engine.connect() as conn:
            for _ in range(bundles):
                msg_id = rng.randint(1, posts)
                started = time.perf_counter()
                build_bundle(await bundle_parts(conn, media, data_dir, 1, msg_id, tree))
                latencies.append(time.perf_counter() - started)
        await engine.dispose()
    o, b = statistics.median(ours), statistics.median(base)
    p50 = statistics.median(latencies[1:]) * 1000  # the first one fills the tree cache
    print(f"{captures} captures, {runs} runs, medians:")
    print(f"| {'what':<46} | {'captures/s':>11} | {'ratio':>6} |")
    print(f"|{'-' * 48}|{'-' * 13}|{'-' * 8}|")
    print(f"| {'baseline: read the log rows + SHA-256 each':<46} | {b:>11,.0f} | {1:>6.2f} |")
    print(
        f"| {'tgmirror verify (rows -> captures, tree, head)':<46} | {o:>11,.0f} | {o / b:>6.2f} |"
    )
    print(
        f"bundle of one post: p50 {p50:.1f} ms over {len(latencies) - 1} posts "
        f"(first, filling the tree cache: {latencies[0] * 1000:.0f} ms)"
    )
    print(f"target: verify >= {TARGET:,} captures/s ({'met' if o >= TARGET else 'NOT met'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--bundles", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.posts, args.bundles, args.runs))
