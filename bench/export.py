"""Export speed and memory: N posts as JSONL and as Desktop's result.json, next to a baseline.

Builds one channel of N text posts through the store (``save_messages``), then runs each
export in a separate process (so peak RSS is its own) and prints posts/second and peak RSS.
Baseline in the same run: plain ``sqlite3`` reading the same rows and ``json.dumps`` of each.

    python bench/export.py [--posts 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from child_figures import print_figures

CHANNEL = 4242


async def build(root: Path, posts: int) -> None:
    from archiver.config import config_from_dict
    from archiver.db.engine import open_engine, upgrade
    from archiver.rows import ChannelRow, MessageRow
    from archiver.simulator.content import post_text
    from archiver.store.channels import upsert_channel
    from archiver.store.messages import save_messages

    config = config_from_dict({"storage": {"data_dir": "data"}}, root)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    rng = random.Random(3)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(CHANNEL, 1, "Bench", "bench_export"), 1)
    batch = []
    for i in range(1, posts + 1):
        text, entities = post_text(rng, "ru")
        batch.append(
            MessageRow(
                channel_id=CHANNEL,
                msg_id=i,
                date=1_600_000_000 + i,
                text=text,
                entities=entities or None,
                views=i,
            )
        )
        if len(batch) == 10_000 or i == posts:
            async with engine.begin() as conn:
                await save_messages(conn, batch, 1)
            batch = []
    await engine.dispose()


async def run_export(root: Path, fmt: str) -> int:
    from archiver.config import config_from_dict
    from archiver.db.engine import open_engine
    from archiver.exporters.writer import export_channel
    from archiver.media import LocalMediaStore
    from archiver.store.channels import get_channel

    config = config_from_dict({"storage": {"data_dir": "data"}}, root)
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        channel = await get_channel(conn, CHANNEL)
        store = LocalMediaStore(config.media_dir)
        result = await export_channel(conn, channel, root / f"out-{fmt}", store, fmt=fmt)
    await engine.dispose()
    return result.posts


def baseline(root: Path) -> int:
    db = sqlite3.connect(root / "data" / "tgmirror.db")
    n = 0
    with open(root / "baseline.jsonl", "w", encoding="utf-8") as out:
        for row in db.execute("SELECT msg_id, date, text, entities, views FROM messages"):
            record = {
                "id": row[0],
                "date": row[1],
                "text": row[2],
                "entities": row[3],
                "views": row[4],
            }
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
            n += 1
    return n


def child(root: Path, what: str) -> None:
    started = time.perf_counter()
    n = baseline(root) if what == "baseline" else asyncio.run(run_export(root, what))
    print_figures(n, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="tgmirror-bench-export-"))
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "data" / "tgmirror.db").exists():
        started = time.perf_counter()
        asyncio.run(build(root, args.posts))
        print(f"built {args.posts:,} posts in {time.perf_counter() - started:.0f} s")
    rows = []
    for what in ("baseline", "jsonl", "tdesktop"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(root), what],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append((what, json.loads(out.stdout)))
    base = rows[0][1]["posts"] / rows[0][1]["seconds"]
    print(f"| {'what':<44} | {'posts/s':>9} | {'peak RSS MB':>11} | {'ratio':>5} |")
    print(f"|{'-' * 46}|{'-' * 11}|{'-' * 13}|{'-' * 7}|")
    names = {
        "baseline": "baseline: sqlite3 read + json.dumps",
        "jsonl": "tgmirror export jsonl",
        "tdesktop": "tgmirror export tdesktop (result.json)",
    }
    for what, r in rows:
        rate = r["posts"] / r["seconds"]
        print(f"| {names[what]:<44} | {rate:>9,.0f} | {r['rss_mb']:>11.0f} | {rate / base:>5.2f} |")
    if not args.keep:
        print(f"(archive in {root}; --keep {root} reuses it)")


if __name__ == "__main__":
    main()
