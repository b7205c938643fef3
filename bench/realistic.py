"""An archive under Telegram's real limits: channels with files, small request buckets, RTT and
bandwidth per connection (the simulator's quota and network models), archived by tgmirror.

One run prints, each next to its target:
- backfill wall time against the lower bound the buckets allow (history pages needed over the
  GetHistory rate, file parts of 1 MiB needed over the GetFile rate; a bucket's burst
  subtracted), as a ratio;
- seconds answered in FLOOD_WAIT, as a share of the wall time;
- ResolveUsername calls of a restarted worker (a second sync, new clients);
- media MiB/s of the archiver against a plain sequential ``download_media`` of the same files
  by another account, measured in the same run. The archiver's rate is its bytes over the
  seconds during which at least one file was waiting: found (its history page stored) and not
  yet stored. Files are found page by page as the history walk goes down, at the GetHistory
  rate; over the whole window from first to last media byte the rate is set by that walk, not
  by the downloads, so that window and its rate are printed too, for information;
- live lag p50/p95 after backfill, for joined channels (pushed updates) and for polled ones
  (every ``--poll-interval`` s): posts made while ``tgmirror run`` follows the channels, until
  their row is in the database (``measure_lag`` of bench/live_lag.py).

The buckets are set (full) once the channels are added and the baseline account has read its
messages: neither is measured, and 50 usernames at the ResolveUsername bucket's 5 a minute
would take nine minutes each time.

    python bench/realistic.py              # the issue's size: 50 x 2,000 posts, 300 files
    python bench/realistic.py --quick      # a small run for development
    python bench/realistic.py --channels 20 --posts 1000 --files 60 --max-file-mb 10
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from live_lag import Lags, measure_lag  # bench/, run as a script: its folder is on sys.path
from telethon import types

from archiver.config import Config, config_from_dict
from archiver.db.engine import open_engine, upgrade
from archiver.simulator import Document, Synthetic, World
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.daemon import run_daemon
from archiver.worker.sync import sync_channels

MIB = 1024 * 1024
PART = MIB  # the largest GetFile part Telegram serves: the fewest requests a file can take
LIMITS: dict[str, tuple[int, float]] = {
    # "Small buckets": (requests, seconds) per account.
    "GetHistoryRequest": (10, 10.0),
    "Takeout:GetHistoryRequest": (20, 10.0),
    "GetFileRequest": (40, 10.0),
    "Takeout:GetFileRequest": (40, 10.0),
    "GetMessagesRequest": (20, 10.0),
    "GetChannelsRequest": (20, 10.0),
    "GetFullChannelRequest": (20, 10.0),
    "ResolveUsernameRequest": (5, 60.0),
}
BASELINE_PHONE = "+15550000999"


@dataclass(frozen=True)
class Scale:
    channels: int
    posts: int
    files: int
    min_file: int
    max_file: int


@dataclass
class ProgressClock:
    """A reporter noting when history pages and media bytes are stored, and how long files
    were waiting: found (their history page stored) and not yet stored.

    The walk goes down from each channel's newest post, so after ``n`` posts of a channel are
    stored, its files with ids above ``newest - n`` are found; each stored file is reported
    once (``ChannelMedia``)."""

    file_ids: dict[int, list[int]] = field(default_factory=dict)
    """Channel id -> the message ids of its files."""
    newest: dict[int, int] = field(default_factory=dict)
    """Channel id -> its newest message id."""
    history_last: float = 0.0
    media_first: float | None = None
    media_last: float = 0.0
    media_bytes: int = 0
    waiting: int = 0
    """Files found and not stored yet."""
    waiting_seconds: float = 0.0
    """Seconds during which at least one file was found and not stored yet."""
    _seen: dict[int, int] = field(default_factory=dict)
    _since: float = 0.0

    def channel_started(self, channel_id: int, title: str, total: int | None) -> None:
        pass

    def advanced(self, channel_id: int, messages: int = 0, media_bytes: int = 0) -> None:
        now = time.perf_counter()
        if self.waiting > 0:
            self.waiting_seconds += now - self._since
        self._since = now
        if messages:
            self.history_last = now
            seen = self._seen.get(channel_id, 0)
            self._seen[channel_id] = seen + messages
            top = self.newest.get(channel_id, 0)
            self.waiting += sum(
                1
                for i in self.file_ids.get(channel_id, [])
                if top - seen - messages < i <= top - seen
            )
        if media_bytes:
            self.media_first = self.media_first if self.media_first is not None else now
            self.media_last = now
            self.media_bytes += media_bytes
            self.waiting = max(0, self.waiting - 1)

    def channel_finished(self, channel_id: int, outcome: str) -> None:
        pass


def build_world(
    path: Path, scale: Scale, seed: int
) -> tuple[World, list[int], list[int], list[tuple[str, int]]]:
    """Channels of text posts with ``files`` documents spread over them; returns the world,
    the channel ids, the file sizes and the (channel username, message id) of each file."""
    rng = random.Random(seed)
    world = World.create(path)
    world.add_account("Baseline", BASELINE_PHONE)
    ids = [world.add_channel(f"chan_{n:03d}", f"Channel {n}") for n in range(scale.channels)]
    # Log-uniform sizes: most files small, a few large, as in real channels.
    low, high = math.log(scale.min_file), math.log(scale.max_file)
    sizes = [int(math.exp(rng.uniform(low, high))) for _ in range(scale.files)]
    slots = set(rng.sample(range(scale.channels * scale.posts), scale.files))
    sizes_left = iter(sizes)
    files: list[tuple[str, int]] = []
    for n, ch in enumerate(ids):
        with world.transaction():  # one commit per channel
            for i in range(scale.posts):
                media = None
                if n * scale.posts + i in slots:
                    # Generated by the world on demand: its file stays small at any size.
                    data = Synthetic(next(sizes_left), seed=rng.randrange(1 << 62))
                    media = Document(data, "application/octet-stream", file_name=f"f{n}_{i}.bin")
                msg_id = world.post(ch, text=f"post {i} of channel {n}", media=media, push=False)
                if media is not None:
                    files.append((f"chan_{n:03d}", msg_id))
    return world, ids, sizes, files


def bench_config(
    root: Path, world: World, channels: int, concurrency: int, poll_interval: int
) -> Config:
    """Every other channel followed by joining, the others polled every ``poll_interval`` s."""
    usernames = [f"chan_{n:03d}" for n in range(channels)]
    return config_from_dict(
        {
            "simulator": {"world": str(world.path)},
            "storage": {"data_dir": "d"},
            "archive": {
                "takeout": "auto",
                "concurrency": concurrency,
                "max_file_size_mb": 64,
                "media_kinds": ["document"],
                "poll_interval": 30,
            },
            "live": {
                "follow": "poll",
                "poll_budget": 600,
                "min_poll_interval": poll_interval,
                "max_poll_interval": poll_interval,
            },
            "channels": [
                {"ref": f"@{name}", "follow": "join" if n % 2 == 0 else "poll"}
                for n, name in enumerate(usernames)
            ],
        },
        root,
    )


async def signed_in(config: Config, phone: str = "+15550000000") -> Any:
    client = make_client(config)
    await client.connect()
    await sign_in(client, phone, lambda: LOGIN_CODE, lambda: "")
    return client


@asynccontextmanager
async def worker(config: Config, reporter: Any = None) -> Iterator[WorkerContext]:  # type: ignore[misc]
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = await signed_in(config)
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    if reporter is not None:
        ctx.reporter = reporter
    try:
        yield ctx
    finally:
        await ctx.close_media()
        await client.disconnect()
        await engine.dispose()


def counts(world: World) -> dict[str, int]:
    if hasattr(world, "request_counts"):
        return dict(world.request_counts(by_bucket=True))
    return {}


def bucket_seconds(name: str, calls: int) -> float:
    """The least time ``calls`` requests take through bucket ``name`` (its burst subtracted)."""
    requests, seconds = LIMITS[name]
    return max(0, calls - requests) * seconds / requests


async def baseline_messages(config: Config, files: list[tuple[str, int]]) -> tuple[Any, list[Any]]:
    """Another account, signed in, and half the files' messages read by it: done before the
    buckets are set, as resolving the channels' usernames at 5 a minute is not what the
    baseline measures."""
    client = await signed_in(_baseline_config(config), BASELINE_PHONE)
    messages_ = []
    for username, msg_id in files[: max(1, len(files) // 2)]:
        messages_.append(await client.get_messages(username, ids=msg_id))
    return client, messages_


async def baseline_mb_s(client: Any, messages_: list[Any], budget: float) -> tuple[float, int]:
    """Plain sequential ``download_media`` of ``messages_``' files by another account (its own
    buckets), for ``budget`` seconds."""
    done = 0
    try:
        started = time.perf_counter()
        for message in messages_:
            if isinstance(message.media, types.MessageMediaDocument):
                done += len(await client.download_media(message, file=bytes))
            if time.perf_counter() - started > budget:
                break
        elapsed = time.perf_counter() - started
    finally:
        await client.disconnect()
    return done / MIB / elapsed, done


def _baseline_config(config: Config) -> Config:
    root = config.storage.data_dir.parent
    return config_from_dict(
        {"simulator": {"world": str(config.simulator.world)}, "storage": {"data_dir": "baseline"}},
        root,
    )


async def live_lag(ctx: WorkerContext, world: World, ids: list[int], posts: int) -> list[Lags]:
    """Seconds from a post in the world to its row in the archive, while the daemon runs, for
    the joined channels (even ones) and the polled ones (odd ones)."""
    daemon = asyncio.create_task(run_daemon(ctx))
    groups = {"joined": ids[0::2], "polled": ids[1::2]}
    try:
        await asyncio.sleep(3)  # the daemon's first pass over its channels
        return await measure_lag(ctx, world, groups, posts=posts, spread=0.6 * posts)
    finally:
        ctx.stopping.set()
        with suppress(Exception):
            await asyncio.wait_for(daemon, 30)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def row(what: str, value: str, target: str = "") -> None:
    print(f"| {what:<58} | {value:>22} | {target:<14} |")


async def run(root: Path, scale: Scale, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    world, ids, sizes, files = build_world(root / "world.sqlite", scale, args.seed)
    built = time.perf_counter() - t0
    limited = hasattr(world, "set_limits")
    if limited:
        world.set_network(rtt_ms=args.rtt_ms, bytes_per_second=args.bandwidth)
    config = bench_config(
        root, world, scale.channels, args.concurrency or scale.channels, args.poll_interval
    )
    clock = ProgressClock(newest={ch: max(m["id"] for m in world.messages(ch)) for ch in ids})
    by_name = {f"chan_{n:03d}": ch for n, ch in enumerate(ids)}
    for username, msg_id in files:
        clock.file_ids.setdefault(by_name[username], []).append(msg_id)
    async with worker(config, clock) as ctx:
        for n in range(scale.channels):
            await add_channel(ctx, f"@chan_{n:03d}")
        baseline = await baseline_messages(config, files)
        if limited:
            # The buckets start full after the channels are added: adding is not measured,
            # and 50 adds at 5 resolves a minute would take nine minutes.
            world.set_limits(LIMITS, penalty=args.penalty)
        before = counts(world)
        flood_before = world.flood_wait_seconds() if limited else 0
        started = time.perf_counter()
        report = await sync_channels(ctx)
        wall = time.perf_counter() - started
        history_end = clock.history_last  # before the live phase stores its own posts
        media_end = clock.media_last
        after = counts(world)
        stats = ctx.accounts.primary.client.pacer.stats
        paced = dict(stats.sent)  # before the live phase adds its own
        floods = dict(stats.flood_waits)
        pacer = ctx.accounts.primary.client.pacer
        rates = {k: r for k in sorted(stats.sent) if (r := pacer.rate(k)) is not None}
        flood = world.flood_wait_seconds() - flood_before if limited else stats.flood_seconds
        lags = await live_lag(ctx, world, ids, args.live_posts) if args.live_posts else []
    async with worker(config) as ctx:  # a restart: new clients, same archive
        resolves_before = counts(world).get("ResolveUsernameRequest", 0)
        await sync_channels(ctx)
        restart_resolves = ctx.accounts.primary.client.pacer.stats.sent["ResolveUsernameRequest"]
        if limited:
            restart_resolves = counts(world).get("ResolveUsernameRequest", 0) - resolves_before
    base_rate, _ = await baseline_mb_s(*baseline, args.baseline_seconds)
    world.close()

    sent = {k: after.get(k, 0) - before.get(k, 0) for k in after} or paced
    pages = sum(max(1, math.ceil(scale.posts / 100)) for _ in ids)
    parts = sum(math.ceil(s / PART) for s in sizes)
    used_takeout = sent.get("Takeout:GetHistoryRequest", 0) > sent.get("GetHistoryRequest", 0)
    history_bucket = "Takeout:GetHistoryRequest" if used_takeout else "GetHistoryRequest"
    history_bound = bucket_seconds(history_bucket, pages)
    files_bound = bucket_seconds("GetFileRequest", parts)
    bound = max(history_bound, files_bound)
    history_wall = history_end - started
    window = (media_end - clock.media_first) if clock.media_first is not None else 0.0
    window_rate = clock.media_bytes / MIB / window if window > 0 else float("nan")
    waiting = clock.waiting_seconds
    media_rate = clock.media_bytes / MIB / waiting if waiting > 0 else float("nan")
    ok = sum(1 for o in report.outcomes if o.outcome == "done")

    print(
        f"scale: {scale.channels} channels x {scale.posts} posts, {scale.files} files "
        f"({sum(sizes) / MIB:,.0f} MiB, {scale.min_file / 1e3:,.0f} KB to "
        f"{scale.max_file / 1e6:,.0f} MB); world built in {built:.0f} s"
    )
    if limited:
        print(
            f"model: RTT {args.rtt_ms:.0f} ms, {args.bandwidth / 1e6:.1f} MB/s per connection,"
            f" penalty {args.penalty} s, buckets {LIMITS}"
        )
    else:
        print("model: NONE (this simulator has no set_limits): figures are not comparable")
    print()
    row("what", "value", "target")
    print(f"|{'-' * 60}|{'-' * 24}|{'-' * 16}|")
    row("channels archived", f"{ok}/{len(ids)}")
    row("backfill wall time, history and media (s)", f"{wall:,.1f}")
    row(f"bound: {pages} pages / {history_bucket} (s)", f"{history_bound:,.1f}")
    row(f"bound: {parts} parts of 1 MiB / GetFileRequest (s)", f"{files_bound:,.1f}")
    row("ratio wall / the larger bound", _ratio(wall, bound), "<= 1.2")
    row("history: last page stored (s from start)", f"{history_wall:,.1f}")
    row("ratio history / its bound", _ratio(history_wall, history_bound), "<= 1.2")
    row("seconds answered in FLOOD_WAIT", f"{flood:,.0f}")
    row("FLOOD_WAIT share of wall time", f"{flood / wall:.1%}", "<= 5 %")
    row("ResolveUsername calls on restart", str(restart_resolves), "0")
    row("media stored (MiB)", f"{clock.media_bytes / MIB:,.1f}")
    row("media: seconds with files found and not stored", f"{waiting:,.1f}")
    row("media MiB/s, tgmirror (while files waited)", f"{media_rate:.2f}")
    row("media MiB/s, sequential download_media baseline", f"{base_rate:.2f}")
    row(
        "media ratio tgmirror / baseline",
        f"{media_rate / base_rate:.1f}x" if base_rate else "n/a",
        ">= 5x",
    )
    row("media: first to last media byte (s)", f"{window:,.1f}")
    row("media MiB/s, first to last media byte (set by the walk)", f"{window_rate:.2f}")
    for group in lags:
        target = "p95 <= 5" if group.name == "joined" else f"p95 <= {args.poll_interval}"
        row(
            f"live lag p50 / p95 (s), {len(group.seconds)} posts, {group.name} channels",
            f"{group.quantile(0.5):.2f} / {group.quantile(0.95):.2f}"
            if group.seconds
            else "none stored",
            target,
        )
    print()
    print(
        "requests during backfill: " + ", ".join(f"{k} {v}" for k, v in sorted(sent.items()) if v)
    )
    print(
        "flood waits met by the pacer: "
        + (", ".join(f"{k} {v}" for k, v in sorted(floods.items())) or "none")
    )
    print(
        "pacer rates learnt (/s): "
        + (", ".join(f"{k} {r:.2f}" for k, r in rates.items()) or "none (no flood wait met)")
    )


def _ratio(value: float, bound: float) -> str:
    return f"{value / bound:.2f}" if bound > 0 else "n/a (bound 0: within the burst)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 channels x 300 posts, 20 files")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--min-file-kb", type=int, default=100)
    parser.add_argument("--max-file-mb", type=int, default=40)
    parser.add_argument("--rtt-ms", type=float, default=80.0)
    parser.add_argument("--bandwidth", type=float, default=3e6, help="bytes/s per connection")
    parser.add_argument("--penalty", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=0, help="0: every channel at once")
    parser.add_argument("--live-posts", type=int, default=40)
    parser.add_argument("--poll-interval", type=int, default=5, help="s, polled channels")
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.quick:
        scale = Scale(5, 300, 20, 100_000, 2_000_000)
        args.live_posts = min(args.live_posts, 10)
        args.baseline_seconds = min(args.baseline_seconds, 10.0)
    else:
        scale = Scale(
            args.channels,
            args.posts,
            args.files,
            args.min_file_kb * 1000,
            args.max_file_mb * 1_000_000,
        )
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp), scale, args))


if __name__ == "__main__":
    main()
