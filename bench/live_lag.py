"""Live lag: seconds from a post's time in the simulated world to its row in the archive.

Runs ``tgmirror run``'s daemon in-process against the simulator, with some channels followed by
joining (Telegram pushes their posts) and others by polling (updates.getChannelDifference every
``--interval`` seconds), posts at random moments into all of them, and stamps each post when its
row appears in the database. Baseline in the same run: a bare Telethon client that joined the
same channels, stamping each pushed ``NewMessage`` event (the simulator's own delivery time).

    python bench/live_lag.py [--channels 6] [--posts 60] [--interval 5]

``measure_lag`` is the reusable part: given a running daemon's context and the world, it posts
and returns the lags, so ``bench/realistic.py`` can report the same figures after a backfill.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from telethon import TelegramClient, events, functions, utils
from telethon.sessions import StringSession

from archiver.config import config_from_dict
from archiver.db.engine import open_engine, upgrade
from archiver.db.schema import messages
from archiver.simulator import World, attach
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.daemon import run_daemon


@dataclass(frozen=True)
class Lags:
    """Lags (seconds) of one group of channels."""

    name: str
    seconds: list[float]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def measure_lag(
    ctx: WorkerContext,
    world: World,
    groups: dict[str, Sequence[int]],
    *,
    posts: int,
    spread: float,
    seed: int = 1,
    every: float = 0.05,
    patience: float = 120.0,
) -> list[Lags]:
    """Post ``posts`` times at random moments over ``spread`` seconds into the channels of
    ``groups`` (name -> channel ids), while a daemon runs on ``ctx``; return each group's lags,
    from the world's post time to the row in ``ctx``'s database (checked every ``every`` s,
    for at most ``patience`` s after the last post)."""
    rng = random.Random(seed)
    channels = [(name, cid) for name, ids in groups.items() for cid in ids]
    moments = sorted(rng.uniform(0, spread) for _ in range(posts))
    posted: dict[tuple[int, int], tuple[str, float]] = {}
    seen: dict[tuple[int, int], float] = {}
    start = time.monotonic()

    async def poster() -> None:
        for n, at in enumerate(moments):
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            name, cid = rng.choice(channels)
            msg_id = world.post(cid, text=f"lag probe {n}")
            posted[(cid, msg_id)] = (name, time.time())

    async def watcher() -> None:
        ids = [cid for _, cid in channels]
        deadline = time.monotonic() + spread + patience
        while time.monotonic() < deadline:
            async with ctx.read() as conn:
                rows = await conn.execute(
                    sa.select(messages.c.channel_id, messages.c.msg_id).where(
                        messages.c.channel_id.in_(ids), messages.c.text.like("lag probe %")
                    )
                )
                now = time.time()
                for cid, msg_id in rows:
                    seen.setdefault((cid, msg_id), now)
            if len(posted) == posts and all(key in seen for key in posted):
                return
            await asyncio.sleep(every)

    await asyncio.gather(poster(), watcher())
    out = {name: Lags(name, []) for name in groups}
    for key, (name, at) in posted.items():
        if key in seen:
            out[name].seconds.append(max(0.0, seen[key] - at))
    return list(out.values())


async def _baseline(world_path: Path, channels: Sequence[int], posts: int, spread: float) -> Lags:
    """A bare Telethon client that joined the channels: push delivery time, nothing stored."""
    client = TelegramClient(StringSession(), api_id=1, api_hash="x")
    attach(client, world_path)
    await client.connect()
    world = World.open(world_path)
    for cid in channels:
        await client(functions.channels.JoinChannelRequest(world.channel(cid)["username"]))
    posted: dict[tuple[int, int], float] = {}
    arrived: dict[tuple[int, int], float] = {}
    done = asyncio.Event()

    async def stamp(event: events.NewMessage.Event) -> None:
        arrived.setdefault((utils.resolve_id(event.chat_id)[0], event.message.id), time.time())
        if len(posted) == posts and all(k in arrived for k in posted):
            done.set()

    client.add_event_handler(stamp, events.NewMessage())
    rng = random.Random(2)
    for _ in range(posts):
        await asyncio.sleep(rng.uniform(0, 2 * spread / posts))
        cid = rng.choice(list(channels))
        posted[(cid, world.post(cid, text="baseline probe"))] = time.time()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), 30)
    await client.disconnect()
    world.close()
    lags = [arrived[k] - at for k, at in posted.items() if k in arrived]
    return Lags("baseline: bare Telethon, pushed", lags)


async def run(root: Path, channels: int, posts: int, interval: int, spread: float) -> list[Lags]:
    world = World.create(root / "world.sqlite")
    ids = [world.add_channel(f"lag_{n}", f"Lag {n}") for n in range(channels)]
    for cid in ids:
        for i in range(20):
            world.post(cid, text=f"old {i}", push=False)
    joined, polled = ids[: channels // 2], ids[channels // 2 :]
    config = config_from_dict(
        {
            "simulator": {"world": str(root / "world.sqlite")},
            "storage": {"data_dir": "data"},
            "archive": {
                "reconcile_interval": 3600,
                "erasure_check_interval": 3600,
                "poll_interval": 300,
            },
            "live": {
                "follow": "poll",
                "poll_budget": 600,
                "min_poll_interval": interval,
                "max_poll_interval": interval,
            },
            "channels": [
                {"ref": f"@lag_{n}", "follow": "join" if cid in joined else "poll"}
                for n, cid in enumerate(ids)
            ],
        },
        root,
    )
    config.storage.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = make_client(config)
    await client.connect()
    await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    for n in range(channels):
        await add_channel(ctx, f"@lag_{n}")
    daemon = asyncio.create_task(run_daemon(ctx))
    await asyncio.sleep(3)  # the first catch-up of every channel
    lags = await measure_lag(
        ctx, world, {"joined": joined, "polled": polled}, posts=posts, spread=spread
    )
    ctx.stopping.set()
    await daemon
    await client.disconnect()
    await engine.dispose()
    baseline = await _baseline(root / "world.sqlite", joined, max(10, posts // 4), spread / 4)
    world.close()
    return [baseline, *lags]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--interval", type=int, default=5, help="poll interval of polled channels")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which to post")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run(Path(tmp), args.channels, args.posts, args.interval, args.spread))
    targets = {"joined": "p95 <= 5 s", "polled": f"p95 <= {args.interval} s (interval)"}
    print(f"| {'what':<34} | posts | p50 (s) | p95 (s) | max (s) | target |")
    print(f"|{'-' * 36}|-------|---------|---------|---------|--------|")
    for lag in results:
        worst = max(lag.seconds) if lag.seconds else float("nan")
        print(
            f"| {lag.name:<34} | {len(lag.seconds):>5} | {statistics.median(lag.seconds):>7.2f} "
            f"| {lag.quantile(0.95):>7.2f} | {worst:>7.2f} | {targets.get(lag.name, '-')} |"
        )


if __name__ == "__main__":
    main()
