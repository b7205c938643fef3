"""t.me/s source: parse speed against a plain selectolax walk, and a polite backfill.

1. Parse: the simulator's t.me/s pages of a generated channel (every post kind), parsed by
   `archiver.tme.parse.parse_page` into MessageRows, against a plain selectolax walk of the
   same pages (parse, select every post, read its data-post and text) in the same run.
   Target: parse_page >= 0.5 x the plain walk, in posts/s (medians of --runs).
2. Backfill: `sync_web_channel` walks ?before= over HTTP (uvicorn on loopback) into a fresh
   SQLite archive at --rate requests/s; reports the rate kept (requests / elapsed) and, from
   the moment each request was sent, the busiest 10 s window and the shortest gap between
   two requests: the pace must stay within the configured rate everywhere, not on average.

    python bench/web_preview.py --posts 20000 --rate 20 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from selectolax.lexbor import LexborHTMLParser

from archiver.db.engine import open_engine, upgrade
from archiver.rows import ChannelRow
from archiver.simulator import ChannelSpec, World, generate_world
from archiver.simulator.web_preview import serve_web
from archiver.store.channels import upsert_channel
from archiver.tme.client import PoliteClient
from archiver.tme.follow import sync_web_channel
from archiver.tme.parse import parse_page


def _pages(base_url: str, limit: int) -> list[str]:
    pages: list[str] = []
    url = f"{base_url}/s/bench"
    with httpx.Client() as client:
        while len(pages) < limit:
            html = client.get(url).text
            pages.append(html)
            page = parse_page(html, 1)
            if page.before is None:
                break
            url = f"{base_url}/s/bench?before={page.before}"
    return pages


def plain_walk(html: str) -> int:
    """The baseline: parse, select every post, read its id and its text."""
    tree = LexborHTMLParser(html)
    n = 0
    for node in tree.css(".tgme_widget_message[data-post]"):
        _ = node.attributes.get("data-post")
        text = node.css_first(".tgme_widget_message_text")
        _ = text.text(deep=True) if text is not None else ""
        n += 1
    return n


def _posts_per_second(fn: Callable[[str], int], pages: list[str]) -> float:
    """Posts per second of this process's CPU time: on a shared machine, wall time also
    counts the time other processes held the core."""
    start = time.process_time()
    posts = sum(fn(html) for html in pages)
    return posts / (time.process_time() - start)


def _parsed(html: str) -> int:
    return len(parse_page(html, 1).posts)


def _rates(pages: list[str], runs: int) -> tuple[float, float, float]:
    """Medians of (plain posts/s, parse_page posts/s, ratio). Each run times both on the same
    pages back to back, so a load spike on the shared machine hits one run's pair, not one
    side of every run; the ratio is taken within each run."""
    plain: list[float] = []
    ours: list[float] = []
    ratios: list[float] = []
    _posts_per_second(plain_walk, pages)  # warm both paths up
    _posts_per_second(_parsed, pages)
    for _ in range(runs):
        plain.append(_posts_per_second(plain_walk, pages))
        ours.append(_posts_per_second(_parsed, pages))
        ratios.append(ours[-1] / plain[-1])
    return statistics.median(plain), statistics.median(ours), statistics.median(ratios)


@dataclass(frozen=True)
class Backfill:
    inserted: int
    requests: int
    elapsed: float
    sent: list[float]  # when each request left, monotonic seconds


def busiest(sent: list[float], window: float) -> int:
    """The most requests sent within any `window` seconds."""
    most = start = 0
    for end, at in enumerate(sent):
        while at - sent[start] > window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _backfill(world: Path, base_url: str, rate: float) -> Backfill:
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(engine)
        channel_id = World.open(world).channel_id("bench")
        async with engine.begin() as conn:
            row = ChannelRow(id=channel_id, access_hash=None, title="Bench", username="bench")
            await upsert_channel(conn, row, 0, source="web")
        sent: list[float] = []

        async def note(request: httpx.Request) -> None:
            sent.append(time.monotonic())

        async with PoliteClient(base_url, rate=rate) as client:
            client._http.event_hooks["request"].append(note)
            start = time.perf_counter()
            result = await sync_web_channel(engine.begin, client, channel_id, "bench", 0)
            elapsed = time.perf_counter() - start
            requests = client.requests
        await engine.dispose()
    return Backfill(result.inserted, requests, elapsed, sorted(sent))


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s to t.me")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--parse-pages", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world.sqlite"
        generate_world(world, seed=5, channels=[ChannelSpec("bench", posts=args.posts)])
        with serve_web(world) as app:
            base_url = app.state.base_url
            pages = _pages(base_url, args.parse_pages)
            plain, ours, ratio = _rates(pages, args.runs)
            run = asyncio.run(_backfill(world, base_url, args.rate))
    print(f"\nParse ({len(pages)} pages, medians of {args.runs} runs; load {_load()})\n")
    print("| what | posts/s | ratio |\n|---|---|---|")
    print(f"| baseline: plain selectolax walk | {plain:,.0f} | 1.00 |")
    print(f"| parse_page -> MessageRow | {ours:,.0f} | {ratio:.2f} |")
    kept = run.requests / run.elapsed
    window = 10.0
    peak = busiest(run.sent, window)
    gap = min((b - a for a, b in itertools.pairwise(run.sent)), default=0.0)
    allowed = int(args.rate * window) + 1  # a window holds one more request than it spans
    within = kept <= args.rate * 1.001 and peak <= allowed
    print(f"\nBackfill of {args.posts:,} posts at {args.rate:g} requests/s\n")
    print("| what | value |\n|---|---|")
    print(f"| posts stored | {run.inserted:,} |\n| requests | {run.requests:,} |")
    print(f"| elapsed | {run.elapsed:,.1f} s |\n| rate kept | {kept:.2f} requests/s |")
    print(f"| busiest {window:g} s | {peak} requests (allowed {allowed}) |")
    print(f"| shortest gap | {gap * 1000:.1f} ms (1/rate = {1000 / args.rate:.1f} ms) |")
    print(f"| within the configured rate | {'yes' if within else 'NO'} |")


if __name__ == "__main__":
    main()
