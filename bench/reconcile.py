"""Reconciliation cost: time per pass (200 recent + 1,000 swept ids) and the 1M-post schedule.

Archives a simulated channel of N posts, then times reconciliation passes against the
simulator (real Telethon client, ``channels.GetMessages`` of 100 ids per call, real SQLite).
Baseline in the same run: one backfill of the same number of posts (``messages.GetHistory``).

    python bench/reconcile.py [--posts 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from archiver.config import config_from_dict
from archiver.db.engine import open_engine, upgrade
from archiver.simulator import ChannelSpec, generate_world
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.backfill import backfill_channel
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.reconcile import RECENT, SWEEP, reconcile_channel


async def measure(root: Path, posts: int, passes: int) -> tuple[float, float, int]:
    generate_world(
        root / "w.sqlite",
        seed=4,
        channels=[ChannelSpec("recon", "Recon", lang="en", posts=posts, media=False)],
    ).close()
    config = config_from_dict(
        {"simulator": {"world": str(root / "w.sqlite")}, "storage": {"data_dir": "d"}}, root
    )
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = make_client(config)
    await client.connect()
    await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    channel = (await add_channel(ctx, "@recon")).channel
    started = time.perf_counter()
    await backfill_channel(ctx, ctx.accounts.primary, channel)
    per_post_backfill = (time.perf_counter() - started) / posts
    times = []
    checked = 0
    for _ in range(passes):
        t0 = time.perf_counter()
        result = await reconcile_channel(ctx, ctx.accounts.primary, channel)
        times.append(time.perf_counter() - t0)
        checked = result.checked
    await client.disconnect()
    await engine.dispose()
    return statistics.median(times), per_post_backfill, checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        per_pass, per_post, checked = asyncio.run(measure(Path(tmp), args.posts, args.passes))
    calls = -(-checked // 100)
    print(f"| {'what':<52} | {'value':>12} |")
    print(f"|{'-' * 54}|{'-' * 14}|")
    print(f"| {'ids checked per pass (recent + sweep)':<52} | {checked:>12,} |")
    print(f"| {'GetMessages calls per pass':<52} | {calls:>12} |")
    print(f"| {'median time per pass (simulator, s)':<52} | {per_pass:>12.3f} |")
    print(
        f"| {'baseline: backfill time for as many posts (s)':<52} | {per_post * checked:>12.3f} |"
    )
    ratio = per_pass / (per_post * checked)
    print(f"| {'ratio pass / backfill of the same ids':<52} | {ratio:>12.2f} |")
    sweep_passes = -(-(1_000_000 - RECENT) // SWEEP)
    print(f"| {'1M posts: passes for a full sweep of old posts':<52} | {sweep_passes:>12,} |")
    days = sweep_passes / 24
    print(f"| {'1M posts: full sweep at reconcile_interval 3600 s (days)':<52} | {days:>12.1f} |")
    print(f"| {'1M posts: calls per day per channel (hourly passes)':<52} | {calls * 24:>12,} |")


if __name__ == "__main__":
    main()
