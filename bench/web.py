"""Mirror speed: channel pages and search on a large archive, next to a static baseline.

Builds an archive of N posts in 50 channels through the store (``save_messages``, so the FTS
index is real), starts ``tgmirror serve`` (one uvicorn worker) on a loopback port, and loads it
from a separate process with 8 keep-alive connections. Prints requests/s, latency percentiles
and the web process's CPU time per request (from /proc; on 2 shared cores throughput follows
the other load on the machine, CPU per request much less) for: a static file from the same
server (baseline), channel pages (random channel, random depth via ?before=), search for a
common word inside one channel, and search for a word of the channel's language (Arabic,
Persian, Russian, Ukrainian: looked up by its stems, the snippet marks every form).

``--postgresql`` then copies the same archive into a throwaway PostgreSQL server (the tests'
``tests/support/pg_server.py``) with the copier ``tgmirror migrate-db`` uses, serves it the
same way and loads it with the same requests; each server's ratio is against its own static
file, measured in the same run.

    python bench/web.py [--posts 1000000] [--seconds 10] [--keep DIR] [--postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

CHANNELS = 50
COMMON_WORD = "council"
LANGS = ["en", "ru", "ar", "uk", "fa"]
"""The language of channel c is LANGS[c % len(LANGS)]."""
LANG_WORDS = {"ru": "закон", "ar": "حكومة", "uk": "Київ", "fa": "گزارش"}
"""A word of each stemmed language that the generated posts hold in several forms."""


async def build_archive(root: Path, posts: int) -> None:
    from archiver.config import config_from_dict
    from archiver.db.engine import open_engine, upgrade
    from archiver.rows import ChannelRow, MessageRow
    from archiver.simulator.content import post_text
    from archiver.store.channels import upsert_channel
    from archiver.store.messages import save_messages

    config = config_from_dict({"storage": {"data_dir": "data"}}, root)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    rng = random.Random(1)
    per_channel = posts // CHANNELS
    started = time.perf_counter()
    async with engine.begin() as conn:
        for c in range(CHANNELS):
            row = ChannelRow(
                id=1000 + c, access_hash=c, title=f"Channel {c}", username=f"chan{c:03d}"
            )
            await upsert_channel(conn, row, 1)
    for c in range(CHANNELS):
        lang = LANGS[c % len(LANGS)]
        batch: list[MessageRow] = []
        for i in range(1, per_channel + 1):
            text, entities = post_text(rng, lang)
            if rng.random() < 0.2:
                text += f" The {COMMON_WORD} met today."
            batch.append(
                MessageRow(
                    channel_id=1000 + c,
                    msg_id=i,
                    date=1_600_000_000 + i * 60,
                    text=text,
                    entities=entities or None,
                    views=i,
                )
            )
            if len(batch) == 5000:
                async with engine.begin() as conn:
                    await save_messages(conn, batch, 1)
                batch = []
        if batch:
            async with engine.begin() as conn:
                await save_messages(conn, batch, 1)
    await engine.dispose()
    took = time.perf_counter() - started
    print(f"built {posts:,} posts in {CHANNELS} channels in {took:.0f} s")
    (root / "tgmirror.toml").write_text('[storage]\ndata_dir = "data"\n[web]\npublish = "all"\n')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _one_connection(
    port: int, paths: list[str], until: float, lat: list[float], statuses: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    while time.perf_counter() < until:
        path = rng.choice(paths)
        t0 = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        lat.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


async def _load(port: int, paths: list[str], seconds: float, concurrency: int) -> dict:
    lat: list[float] = []
    statuses: dict[int, int] = {}
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(_one_connection(port, paths, until, lat, statuses) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    lat.sort()
    return {
        "rps": len(lat) / elapsed,
        "p50": lat[len(lat) // 2] * 1000,
        "p99": lat[int(len(lat) * 0.99)] * 1000,
        "n": len(lat),
        "statuses": statuses,
    }


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used so far; None without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(port: int, paths: list[str], seconds: float) -> dict:
    """Load from a separate process, so the client never competes in the server's loop."""
    args = [sys.executable, __file__, "--client", str(port), str(seconds)]
    out = subprocess.run(args, input=json.dumps(paths), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


async def upgrade_archive(config_path: Path) -> None:
    """Bring a kept archive to the newest migration (``tgmirror serve`` refuses an old one)."""
    from archiver.config import load_config
    from archiver.db.engine import open_engine, upgrade

    engine = open_engine(load_config(config_path).database_url)
    await upgrade(engine)
    await engine.dispose()


async def copy_to_postgres(config_path: Path, url: str) -> float:
    """Copy the SQLite archive into the PostgreSQL database ``url`` with the copier
    ``tgmirror migrate-db`` uses (rows, search index rebuilt there, verification)."""
    from archiver.config import load_config
    from archiver.db.copy_archive import copy_archive
    from archiver.db.engine import open_engine

    source = open_engine(load_config(config_path).database_url)
    target = open_engine(url)
    started = time.perf_counter()
    report = await copy_archive(source, target)
    took = time.perf_counter() - started
    await source.dispose()
    await target.dispose()
    if report.mismatches:
        names = ", ".join(t.name for t in report.mismatches)
        raise SystemExit(f"the PostgreSQL copy differs from the archive in: {names}")
    return took


def measure(
    config_path: Path,
    pages: list[str],
    searches: list[str],
    seconds: float,
    name: str,
    word_searches: list[str],
) -> list[tuple[str, str, dict]]:
    """Start ``tgmirror serve`` (one uvicorn worker) on ``config_path`` and load it: the static
    file (this server's baseline), then channel pages, then search."""
    port = free_port()
    tgmirror = Path(sys.executable).parent / "tgmirror"
    log = config_path.with_suffix(".serve.log")
    with log.open("w") as err:
        server = subprocess.Popen(
            [str(tgmirror), "--config", str(config_path), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit(f"tgmirror serve ({name}) exited: {log.read_text().strip()}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        static = ["/static/style.css"]
        run_load(port, static, 2)  # warm up
        run_load(port, pages[:50], 2)  # warm up the database's cache and connection pool

        def load(paths: list[str]) -> dict:
            cpu_before = process_cpu(server.pid)
            result = run_load(port, paths, seconds)
            cpu_after = process_cpu(server.pid)
            done = sum(result["statuses"].values())
            if cpu_before is not None and cpu_after is not None and done:
                result["cpu_ms"] = (cpu_after - cpu_before) / done * 1000
            return result

        return [
            (name, "baseline: static file, same server", load(static)),
            (name, "channel page, random channel and depth", load(pages)),
            (name, f"search '{COMMON_WORD}' in one channel", load(searches)),
            (name, "search a stemmed word in one channel", load(word_searches)),
        ]
    finally:
        server.terminate()
        server.wait()


def print_table(rows: list[tuple[str, str, dict]]) -> None:
    """One row per measurement; the ratio is against the same server's static file."""
    print(
        f"| {'database':<10} | {'what':<42} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} "
        f"| {'ratio':>5} | {'CPU ms/req':>10} |"
    )
    print(f"|{'-' * 12}|{'-' * 44}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 7}|{'-' * 12}|")
    base: dict[str, float] = {}
    for database, name, r in rows:
        base.setdefault(database, r["rps"])
        bad = {k: v for k, v in r["statuses"].items() if k != "200"}
        note = f" non-200: {bad}" if bad else ""
        cpu = f"{r['cpu_ms']:>10.2f}" if "cpu_ms" in r else f"{'-':>10}"
        print(
            f"| {database:<10} | {name:<42} | {r['rps']:>7.0f} | {r['p50']:>6.1f} | "
            f"{r['p99']:>6.1f} | {r['rps'] / base[database]:>5.2f} | {cpu} |{note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--keep", type=Path, help="reuse/keep the archive in this directory")
    parser.add_argument(
        "--postgresql", action="store_true", help="then serve it from a throwaway PostgreSQL server"
    )
    parser.add_argument("--client", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        paths = json.loads(sys.stdin.read())
        print(json.dumps(asyncio.run(_load(int(args.client[0]), paths, float(args.client[1]), 8))))
        return
    bindir = None
    if args.postgresql:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
        from pg_server import INSTALL_HINT, find_bindir

        bindir = find_bindir()
        if bindir is None:
            raise SystemExit(f"--postgresql: no PostgreSQL server binaries; {INSTALL_HINT}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="tgmirror-bench-web-"))
    root.mkdir(parents=True, exist_ok=True)
    config_path = root / "tgmirror.toml"
    if not config_path.exists():
        asyncio.run(build_archive(root, args.posts))
    else:
        asyncio.run(upgrade_archive(config_path))
    rng = random.Random(2)
    per_channel = args.posts // CHANNELS
    pages = [
        f"/chan{rng.randrange(CHANNELS):03d}?before={rng.randrange(2, per_channel + 1)}"
        for _ in range(2000)
    ]
    pages += [f"/chan{c:03d}" for c in range(CHANNELS)]
    searches = [f"/chan{rng.randrange(CHANNELS):03d}/search?q={COMMON_WORD}" for _ in range(200)]
    stemmed = [c for c in range(CHANNELS) if LANGS[c % len(LANGS)] in LANG_WORDS]
    word_searches = []
    for _ in range(200):
        c = rng.choice(stemmed)
        word_searches.append(f"/chan{c:03d}/search?q={quote(LANG_WORDS[LANGS[c % len(LANGS)]])}")
    rows = measure(config_path, pages, searches, args.seconds, "SQLite", word_searches)
    if bindir is not None:
        from pg_server import TempPostgres

        server = TempPostgres.start(bindir)
        try:
            url = server.url(server.create_database())
            took = asyncio.run(copy_to_postgres(config_path, url))
            print(f"copied into PostgreSQL (migrate-db's copier) in {took:.0f} s", flush=True)
            pg_config = server.root / "tgmirror.toml"
            data_dir = json.dumps(str(root / "data"))
            pg_config.write_text(
                f'[storage]\ndata_dir = {data_dir}\ndatabase = "{url}"\n[web]\npublish = "all"\n'
            )
            rows += measure(pg_config, pages, searches, args.seconds, "PostgreSQL", word_searches)
        finally:
            server.stop()
    print(
        f"{args.posts:,} posts in {CHANNELS} channels, 1 uvicorn worker, 8 connections, "
        f"{args.seconds:.0f} s each"
    )
    print_table(rows)
    if not args.keep:
        print(f"(archive left in {root}; pass --keep {root} to reuse it)")


if __name__ == "__main__":
    main()
