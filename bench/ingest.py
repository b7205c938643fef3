"""Ingest speed: archive a simulated channel of N text posts end to end, next to a baseline.

End to end = the real Telethon client (over the simulator: TL serialisation and parsing), the
pure converters, ``save_messages`` (rows, FTS index, checkpoint per batch of 100) on SQLite.
Baseline, measured in the same run: plain ``sqlite3.executemany`` of the same rows into a table
of the same columns, no FTS, one transaction. ``--postgresql`` also archives into a throwaway
PostgreSQL server (the machine's own, as the tests start it) in the same runs. Each run also
archives once with ``[evidence] enabled = false``, in alternating order, to show what appending
to the capture log costs (target: at most 10 %), by wall clock and by CPU seconds of the
process (all threads: Telethon, the simulator, SQLite): on a shared, loaded machine the CPU
figure is the steadier of the two.

    python bench/ingest.py [--posts N] [--runs R] [--postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from archiver.config import config_from_dict
from archiver.db.engine import open_engine, upgrade
from archiver.simulator import ChannelSpec, generate_world
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.channels import add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.sync import sync_channels


async def archive_once(
    workdir: Path, world: Path, database: str = "", *, evidence: bool = True
) -> tuple[float, int, Path, float]:
    storage = {"data_dir": "d", "database": database}
    data = {
        "simulator": {"world": str(world)},
        "storage": storage,
        "evidence": {"enabled": evidence},
    }
    config = config_from_dict(data, workdir)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = make_client(config)
    await client.connect()
    await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    await add_channel(ctx, "@bench")
    started, cpu = time.perf_counter(), time.process_time()
    report = await sync_channels(ctx)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await client.disconnect()
    await engine.dispose()
    db = config.storage.data_dir / "tgmirror.db"
    return elapsed, report.outcomes[0].inserted, db, cpu


def baseline_once(source_db: Path, workdir: Path) -> tuple[float, int]:
    src = sqlite3.connect(source_db)
    rows = src.execute(
        "SELECT channel_id, msg_id, date, text, entities, views, raw FROM messages"
    ).fetchall()
    src.close()
    dst = sqlite3.connect(workdir / "baseline.db")
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute(
        "CREATE TABLE m (id INTEGER PRIMARY KEY, channel_id INT, msg_id INT, date INT, text TEXT,"
        " entities TEXT, views INT, raw BLOB, UNIQUE(channel_id, msg_id))"
    )
    started = time.perf_counter()
    with dst:
        dst.executemany(
            "INSERT INTO m (channel_id, msg_id, date, text, entities, views, raw)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    elapsed = time.perf_counter() - started
    dst.close()
    return elapsed, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgresql", action="store_true", help="also archive into PostgreSQL")
    args = parser.parse_args()
    server = None
    if args.postgresql:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
        from pg_server import INSTALL_HINT, TempPostgres, find_bindir

        bindir = find_bindir()
        if bindir is None:
            raise SystemExit(f"no PostgreSQL server binaries: {INSTALL_HINT}")
        server = TempPostgres.start(bindir)
    try:
        measure(args, server)
    finally:
        if server is not None:
            server.stop()


def measure(args: argparse.Namespace, server) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate_world(
            root / "world.sqlite",
            seed=7,
            channels=[ChannelSpec("bench", "Bench", lang="ru", posts=args.posts, media=False)],
        ).close()
        gen = time.perf_counter() - started
        ours, base, pg, plain = [], [], [], []
        ours_cpu, plain_cpu = [], []
        for run in range(args.runs):
            workdir = root / f"run{run}"
            workdir.mkdir()
            (workdir / "off").mkdir()
            off_first = run % 2 == 1
            if off_first:
                elapsed, count, _, cpu = asyncio.run(
                    archive_once(workdir / "off", root / "world.sqlite", evidence=False)
                )
                plain.append(count / elapsed)
                plain_cpu.append(count / cpu)
            elapsed, count, db, cpu = asyncio.run(archive_once(workdir, root / "world.sqlite"))
            assert count == args.posts, f"archived {count} of {args.posts}"
            ours.append(count / elapsed)
            ours_cpu.append(count / cpu)
            if not off_first:
                elapsed, count, _, cpu = asyncio.run(
                    archive_once(workdir / "off", root / "world.sqlite", evidence=False)
                )
                plain.append(count / elapsed)
                plain_cpu.append(count / cpu)
            if server is not None:
                (workdir / "pg").mkdir()
                url = server.url(server.create_database())
                elapsed, count, _, _ = asyncio.run(
                    archive_once(workdir / "pg", root / "world.sqlite", url)
                )
                assert count == args.posts, f"archived {count} of {args.posts} on PostgreSQL"
                pg.append(count / elapsed)
            b_elapsed, b_count = baseline_once(db, workdir)
            base.append(b_count / b_elapsed)
    o, b = statistics.median(ours), statistics.median(base)
    print(f"world of {args.posts} posts generated in {gen:.1f} s; {args.runs} runs, medians:")
    print(f"| {'what':<44} | {'messages/s':>11} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 8}|")
    print(f"| {'baseline: sqlite3 executemany, same rows':<44} | {b:>11,.0f} | {1:>6.2f} |")
    print(f"| {'tgmirror sync end to end (Telethon+store)':<44} | {o:>11,.0f} | {o / b:>6.3f} |")
    e = statistics.median(plain)
    print(f"| {'the same with [evidence] enabled = false':<44} | {e:>11,.0f} | {e / b:>6.3f} |")
    if pg:
        p = statistics.median(pg)
        print(f"| {'the same into PostgreSQL':<44} | {p:>11,.0f} | {p / b:>6.3f} |")
    print(
        f"targets: >= 5,000 messages/s ({'met' if o >= 5000 else 'NOT met'}), "
        f">= 1/10 of baseline ({'met' if o / b >= 0.1 else 'NOT met'})"
    )
    cost = 1 - o / e
    oc, ec = statistics.median(ours_cpu), statistics.median(plain_cpu)
    cpu_cost = 1 - oc / ec
    print(
        f"messages per CPU second of the archiving process (all its threads): with the log "
        f"{oc:,.0f}, without {ec:,.0f}"
    )
    paired = statistics.median(1 - a / b for a, b in zip(ours_cpu, plain_cpu, strict=True))
    print(f"the same cost as the median of each run's on/off pair, CPU: {paired:.1%}")
    print(
        f"capture log cost: {cost:.1%} of ingest speed (wall clock), {cpu_cost:.1%} of CPU "
        f"(target <= 10 %: {'met' if cost <= 0.10 else 'NOT met'} by wall clock, "
        f"{'met' if cpu_cost <= 0.10 else 'NOT met'} by CPU)"
    )


if __name__ == "__main__":
    main()
