"""Evidence: ``tgmirror verify`` speed (captures/s), and bundle latency, next to a baseline.

Builds an archive of N posts through the store (``save_messages`` in batches of 1,000, so every
post is one ``post`` capture, plus an edit on every tenth post), signs a head, then times
``verify_archive`` (database recomputation of every capture, no media). Baseline in the same
run: reading the same rows (log, messages, revisions) and SHA-256 over each leaf, the least
any verification does. Rates per wall second and per CPU second of the process (on a shared,
loaded machine the second is the steadier).
Bundle latency: p50 of building the evidence bundle of random posts (the proofs read the
stored subtrees; the process keeps those it read), the first one reported apart.

``--web-archive DIR`` measures the bundle over HTTP instead, on an archive laid out as
``bench/web.py`` builds it (1,000,000 posts in 50 channels by default, each post logged as the
capture ingest appends; reused from ``bench/web.py --keep DIR``, or built in DIR without the
search index, which bundles do not read): ``tgmirror serve`` on loopback, GET
``/{channel}/{id}/evidence.zip`` of random posts one at a time, p50 and p90 next to the same
server's static file (baseline, same run); then cold: the first bundle of each of ``--cold``
new server processes, and ``tgmirror evidence`` on the command line next to ``tgmirror
--help`` (the command's start-up, same run).

``--before DIR`` also times, in each run and on the same archive, ``verify_archive`` of the
code checked out in DIR (``git archive REV | tar -x -C DIR``), in a child process that imports
it from there (its own wall and CPU time, start-up excluded): before and after in one run.

    python bench/evidence.py [--posts 200000] [--bundles 50] [--runs 3] [--before DIR]
        [--keep DIR]   # build the archive in DIR, or reuse the one there (same --posts)
    python bench/evidence.py --web-archive DIR [--posts 1000000] [--bundles 200] [--cold 10]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from archiver.db.engine import open_engine, upgrade
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.bundle import build_bundle
from archiver.evidence.bundle_source import bundle_parts
from archiver.evidence.signing import sign_new_head
from archiver.evidence.stored_tree import StoredTree
from archiver.evidence.verify import verify_archive
from archiver.media.local import LocalMediaStore
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.evidence_log import iter_log_rows
from archiver.store.messages import save_messages

TARGET = 50_000
WORDS = "свобода правда новости город вечер площадь people news report today".split()  # noqa: SIM905


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))


def _entities(rng: random.Random) -> list[dict[str, object]] | None:
    """A third of the posts have one or two entities at varying places, as channels do."""
    if rng.random() >= 1 / 3:
        return None
    kinds = ["bold", "italic", "url", "text_link"]
    return [
        {"type": rng.choice(kinds), "offset": rng.randint(0, 200), "length": rng.randint(1, 30)}
        for _ in range(rng.randint(1, 2))
    ]


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
                entities=_entities(rng),
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


async def baseline(engine) -> tuple[float, float, int]:
    """Read the rows verify reads (log, messages, revisions) and SHA-256 each leaf:
    the least any verification does. Returns (wall s, CPU s, captures)."""
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    async with engine.connect() as conn:
        for table in ("messages", "message_revisions"):
            (await conn.exec_driver_sql(f"SELECT * FROM {table}")).all()
        sha256 = hashlib.sha256
        async for rows in iter_log_rows(conn):
            for row in rows:
                sha256(b"\x00" + row[4].encode()).digest()
            count += len(rows)
    return time.perf_counter() - started, time.process_time() - cpu, count


_BEFORE = """
import asyncio, json, sys, time
from pathlib import Path
from archiver.db.engine import open_engine
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.verify import verify_archive
from archiver.media.local import LocalMediaStore

async def run(root):
    engine = open_engine(f"sqlite+aiosqlite:///{root}/tgmirror.db")
    started, cpu = time.perf_counter(), time.process_time()
    report = await verify_archive(
        engine, LocalMediaStore(root / "media"), existing_public_key(root), hash_files=False
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    await engine.dispose()
    assert report.ok, report.problems[:3]
    print(json.dumps({"captures": report.captures, "wall": wall, "cpu": cpu}))

asyncio.run(run(Path(sys.argv[1])))
"""


def verify_before(code: Path, root: Path) -> tuple[float, float]:
    """Captures per wall and per CPU second of ``verify_archive`` as checked out in ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, "-c", _BEFORE, str(root)],
        env=env,
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    got = json.loads(out.strip().splitlines()[-1])
    return got["captures"] / got["wall"], got["captures"] / got["cpu"]


async def main(
    posts: int, bundles: int, runs: int, before: Path | None = None, keep: Path | None = None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = keep or Path(tmp)
        t0 = time.perf_counter()
        if keep is not None and (keep / "tgmirror.db").exists():
            engine, data_dir = open_engine(f"sqlite+aiosqlite:///{root}/tgmirror.db"), root
            print(f"archive in {keep} reused (--keep; built with its own --posts)")
        else:
            root.mkdir(parents=True, exist_ok=True)
            engine, data_dir = await build(root, posts)
            print(f"archive of {posts} posts built in {time.perf_counter() - t0:.1f} s")
        media = LocalMediaStore(root / "media")
        key = existing_public_key(data_dir)
        assert key is not None
        ours, base, ours_cpu, base_cpu = [], [], [], []
        old: list[float] = []
        old_cpu: list[float] = []
        captures = 0
        loads = [os.getloadavg()[0]]
        for _ in range(runs):
            elapsed, cpu, captures = await baseline(engine)
            base.append(captures / elapsed)
            base_cpu.append(captures / cpu)
            if before is not None:
                wall_rate, cpu_rate = verify_before(before, root)
                old.append(wall_rate)
                old_cpu.append(cpu_rate)
            started, cpu = time.perf_counter(), time.process_time()
            report = await verify_archive(engine, media, key, hash_files=False)
            ours.append(report.captures / (time.perf_counter() - started))
            ours_cpu.append(report.captures / (time.process_time() - cpu))
            assert report.ok, report.problems[:3]
            loads.append(os.getloadavg()[0])
        rng = random.Random(5)
        tree = StoredTree()
        latencies = []
        async with engine.connect() as conn:
            for _ in range(bundles):
                msg_id = rng.randint(1, posts)
                started = time.perf_counter()
                build_bundle(await bundle_parts(conn, media, data_dir, 1, msg_id, tree))
                latencies.append(time.perf_counter() - started)
        await engine.dispose()
    o, b = statistics.median(ours), statistics.median(base)
    oc, bc = statistics.median(ours_cpu), statistics.median(base_cpu)
    p50 = statistics.median(latencies[1:]) * 1000  # the first one starts from a cold tree
    print(
        f"{captures} captures, {runs} runs, medians (per wall second; per CPU second); "
        f"1-minute load average {min(loads):.1f}-{max(loads):.1f}"
    )
    print(
        f"| {'what':<46} | {'captures/s':>11} | {'ratio':>6} | {'per CPU s':>11} | {'ratio':>6} |"
    )
    print(f"|{'-' * 48}|{'-' * 13}|{'-' * 8}|{'-' * 13}|{'-' * 8}|")
    print(
        f"| {'baseline: read the same rows, SHA-256 each':<46} | {b:>11,.0f} | {1:>6.2f} "
        f"| {bc:>11,.0f} | {1:>6.2f} |"
    )
    if old:
        w, c = statistics.median(old), statistics.median(old_cpu)
        print(
            f"| {'before (--before): tgmirror verify':<46} | {w:>11,.0f} | {w / b:>6.2f} "
            f"| {c:>11,.0f} | {c / bc:>6.2f} |"
        )
    print(
        f"| {'tgmirror verify (rows -> captures, tree, head)':<46} | {o:>11,.0f} | {o / b:>6.2f} "
        f"| {oc:>11,.0f} | {oc / bc:>6.2f} |"
    )
    print(
        f"bundle of one post: p50 {p50:.1f} ms over {len(latencies) - 1} posts "
        f"(first, a cold tree: {latencies[0] * 1000:.0f} ms)"
    )
    print(
        f"target: verify >= {TARGET:,} captures/s: {'met' if o >= TARGET else 'NOT met'} "
        f"by wall clock, {'met' if oc >= TARGET else 'NOT met'} per CPU second"
    )


def _bench_web() -> Any:
    """bench/web.py as a module (its name would shadow the ``web`` package)."""
    spec = importlib.util.spec_from_file_location("bench_web", Path(__file__).with_name("web.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _get_ms(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    took = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:200])
    return took


async def build_rows_and_captures(root: Path, posts: int, channels: int) -> None:
    """bench/web.py's archive layout (``posts`` posts in ``channels`` channels ``chanNNN``),
    written faster than its ``save_messages`` build on a loaded machine: message rows by plain
    executemany (no search index: bundles do not read it), and for each post the capture
    ingest appends, through the store's own ``append_captures``."""
    from archiver.config import config_from_dict
    from archiver.db.schema import messages
    from archiver.evidence.captures import post_capture
    from archiver.simulator.content import post_text
    from archiver.store.evidence_log import append_captures

    config = config_from_dict({"storage": {"data_dir": "data"}}, root)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    rng = random.Random(1)
    started = time.perf_counter()
    async with engine.begin() as conn:
        for c in range(channels):
            row = ChannelRow(
                id=1000 + c, access_hash=c, title=f"Channel {c}", username=f"chan{c:03d}"
            )
            await upsert_channel(conn, row, 1)
    per_channel = posts // channels
    for c in range(channels):
        lang = ["en", "ru", "ar", "uk", "fa"][c % 5]
        for start in range(1, per_channel + 1, 10_000):
            rows, captures = [], []
            for i in range(start, min(per_channel + 1, start + 10_000)):
                text, entities = post_text(rng, lang)
                date = 1_600_000_000 + i * 60
                rows.append(
                    {
                        "channel_id": 1000 + c,
                        "msg_id": i,
                        "date": date,
                        "text": text,
                        "entities": entities or None,
                        "views": i,
                        "source": "telegram",
                        "first_seen_at": 1,
                        "last_seen_at": 1,
                        "captured_at": 1,
                    }
                )
                captures.append(
                    post_capture(
                        channel_id=1000 + c,
                        msg_id=i,
                        date=date,
                        edit_date=None,
                        text=text,
                        entities=entities or None,
                        media_kind=None,
                        captured_at=1,
                        source="telegram",
                    )
                )
            async with engine.begin() as conn:
                await conn.execute(messages.insert(), rows)
                await append_captures(conn, captures)
    await engine.dispose()
    print(f"built {posts:,} posts in {channels} channels in {time.perf_counter() - started:.0f} s")
    (root / "tgmirror.toml").write_text('[storage]\ndata_dir = "data"\n[web]\npublish = "all"\n')


def _serve(tgmirror: Path, config_path: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(tgmirror), "--config", str(config_path), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _ready(client: httpx.Client) -> None:
    for _ in range(600):
        try:
            client.get("/static/style.css")
            return
        except httpx.TransportError:
            time.sleep(0.1)


def _cli_ms(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    took = (time.perf_counter() - started) * 1000
    assert done.returncode == 0, done.stdout + done.stderr
    return took


async def _cold_bundle_ms(root: Path, channel_id: int, msg_id: int) -> float:
    """One bundle built as a new process builds it: a new engine and an empty tree."""
    engine = open_engine(f"sqlite+aiosqlite:///{root}/data/tgmirror.db")
    started = time.perf_counter()
    async with engine.connect() as conn:
        media = LocalMediaStore(root / "data" / "media")
        parts = await bundle_parts(conn, media, root / "data", channel_id, msg_id, StoredTree())
        build_bundle(parts)
    took = (time.perf_counter() - started) * 1000
    await engine.dispose()
    return took


def web_bundles(root: Path, posts: int, bundles: int, cold: int) -> None:
    """Bundle latency over HTTP on bench/web.py's archive of ``posts`` posts: warm (one server,
    ``bundles`` requests), cold (the first bundle of each of ``cold`` new server processes),
    and ``tgmirror evidence`` on the command line against the command's start-up."""
    bench_web = _bench_web()
    root.mkdir(parents=True, exist_ok=True)
    config_path = root / "tgmirror.toml"
    if not config_path.exists():
        asyncio.run(build_rows_and_captures(root, posts, bench_web.CHANNELS))
    engine = open_engine(f"sqlite+aiosqlite:///{root}/data/tgmirror.db")
    asyncio.run(upgrade(engine))
    started = time.perf_counter()
    head = asyncio.run(sign_new_head(engine, root / "data", 1_760_000_100))
    signed_s = time.perf_counter() - started
    asyncio.run(engine.dispose())
    per_channel = posts // bench_web.CHANNELS
    tgmirror = Path(sys.executable).parent / "tgmirror"
    rng = random.Random(9)
    path = "/chan{:03d}/{}/evidence.zip"

    def post() -> tuple[int, int]:
        return rng.randrange(bench_web.CHANNELS), rng.randint(1, per_channel)

    static, took, first = [], [], []
    for run in range(cold):
        port = bench_web.free_port()
        server = _serve(tgmirror, config_path, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                _ready(client)
                first.append(_get_ms(client, path.format(*post())))
                if run == 0:
                    static = [_get_ms(client, "/static/style.css") for _ in range(bundles)]
                    took = [_get_ms(client, path.format(*post())) for _ in range(bundles)]
        finally:
            server.terminate()
            server.wait()
    out = root / "bundle.zip"
    base = [str(tgmirror), "--config", str(config_path)]
    cli_start = [_cli_ms([*base, "--help"]) for _ in range(cold)]
    cli_bundle = []
    for _ in range(cold):
        c, msg = post()
        cli_bundle.append(_cli_ms([*base, "evidence", f"@chan{c:03d}/{msg}", "--out", str(out)]))
    in_process = [
        asyncio.run(_cold_bundle_ms(root, 1000 + c, msg))
        for c, msg in (post() for _ in range(cold))
    ]
    size = head.tree_size if head is not None else "(already signed)"
    print(f"archive of {posts:,} posts, signed head of {size} captures ({signed_s:.1f} s)")
    print(f"| {'what':<52} | {'p50 ms':>7} | {'p90 ms':>7} | {'ratio':>6} |")
    print(f"|{'-' * 54}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")

    def row(what: str, values: list[float], baseline: list[float]) -> None:
        p50, p90 = statistics.median(values), max(values)
        if len(values) >= 10:
            p90 = statistics.quantiles(values, n=10)[-1]
        ratio = p50 / statistics.median(baseline)
        print(f"| {what:<52} | {p50:>7.1f} | {p90:>7.1f} | {ratio:>6.1f} |")

    row(f"baseline: static file, same server ({bundles})", static, static)
    row(f"GET /{{channel}}/{{id}}/evidence.zip, warm ({bundles})", took, static)
    row(f"the same, first request of a new server ({cold})", first, static)
    row(f"in-process: new engine, new tree, bundle_parts ({cold})", in_process, static)
    row(f"baseline: `tgmirror --help` ({cold})", cli_start, cli_start)
    row(f"`tgmirror evidence @chanNNN/ID --out F.zip` ({cold})", cli_bundle, cli_start)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=None)
    parser.add_argument("--bundles", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--web-archive", type=Path, help="bundle latency over HTTP, archive here")
    parser.add_argument("--cold", type=int, default=10, help="new processes, --web-archive")
    parser.add_argument("--before", type=Path, help="also time verify as checked out here")
    parser.add_argument("--keep", type=Path, help="build the archive here, or reuse it")
    args = parser.parse_args()
    if args.web_archive is not None:
        web_bundles(args.web_archive, args.posts or 1_000_000, args.bundles or 200, args.cold)
    else:
        asyncio.run(
            main(args.posts or 200_000, args.bundles or 50, args.runs, args.before, args.keep)
        )
