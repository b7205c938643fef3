"""migrate-db speed: copy an archive of N posts from SQLite into PostgreSQL, next to a baseline.

The archive is built through the store (posts of about 300 characters with entities, Telegram
raw bytes and a search index). Measured: ``copy_archive`` end to end (rows in keyset batches
with their progress markers, sequences, the search index rebuilt, every table verified by
count and sha256 on both sides), with each phase timed. Baseline, in the same run: the same
messages rows read from SQLite with plain ``sqlite3`` and written with asyncpg's binary
``COPY`` into a table of the same columns, one transaction, no checks: the fastest way in.
The PostgreSQL server is the test suite's throwaway one. Run: ``python bench/migrate_db.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
from pg_server import TempPostgres, find_bindir

from archiver.db.copy_archive import INDEX_STEP, VERIFY_STEP, copy_archive
from archiver.db.engine import open_engine, upgrade
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages

WORDS = [
    "новости",
    "власти",
    "заявили",
    "сегодня",
    "утром",
    "в",
    "городе",
    "прошли",
    "выборы",
    "суд",
    "решил",
    "отложить",
]


async def build_archive(path: Path, posts: int) -> None:
    engine = open_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    rng = random.Random(3)
    async with engine.begin() as conn:
        for cid in range(1, 11):
            await upsert_channel(conn, ChannelRow(id=cid, access_hash=cid, title=f"c{cid}"), 1)
        for start in range(0, posts, 5000):
            rows = []
            for k in range(start, min(start + 5000, posts)):
                text = " ".join(rng.choice(WORDS) for _ in range(40))
                rows.append(
                    MessageRow(
                        channel_id=1 + k % 10,
                        msg_id=k + 1,
                        date=1_700_000_000 + k,
                        text=text,
                        entities=[{"type": "bold", "offset": 0, "length": 7}],
                        views=k,
                        reactions=[{"emoji": "👍", "count": k % 50}],
                        raw=rng.randbytes(300),
                    )
                )
            await save_messages(conn, rows, 2)
    await engine.dispose()


class PhaseClock:
    """Times each phase of the copy from the progress callbacks."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def started(self, step: str, total: int, done: int) -> None:
        if step in (INDEX_STEP, VERIFY_STEP):
            self.marks.append((step, time.perf_counter()))

    def advanced(self, step: str, count: int) -> None:
        pass


async def ours(source: Path, url: str) -> tuple[float, int, dict[str, float]]:
    src, dst = open_engine(f"sqlite+aiosqlite:///{source}", create=False), open_engine(url)
    clock = PhaseClock()
    started = time.perf_counter()
    report = await copy_archive(src, dst, clock)
    ended = time.perf_counter()
    await src.dispose()
    await dst.dispose()
    assert not report.mismatches
    at = dict(clock.marks)
    phases = {
        "tables": at[INDEX_STEP] - started,
        INDEX_STEP: at[VERIFY_STEP] - at[INDEX_STEP],
        VERIFY_STEP: ended - at[VERIFY_STEP],
    }
    return ended - started, report.copied_now, phases


async def baseline(source: Path, dsn: str) -> tuple[float, int]:
    conn = sqlite3.connect(source)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(messages)")]
    started = time.perf_counter()
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM messages ORDER BY id").fetchall()
    pg = await asyncpg.connect(dsn)
    await pg.execute("CREATE TABLE bench_messages (LIKE messages INCLUDING DEFAULTS)")
    json_at = {
        i
        for i, c in enumerate(columns)
        if c in ("entities", "reactions", "media", "reply_to", "fwd_from", "action", "extra")
    }
    bool_at = {columns.index("hidden")}
    records = [
        tuple(
            (v if v is None else json.dumps(json.loads(v)))
            if i in json_at
            else bool(v)
            if i in bool_at
            else v
            for i, v in enumerate(row)
        )
        for row in rows
    ]
    async with pg.transaction():
        await pg.copy_records_to_table("bench_messages", records=records, columns=columns)
    elapsed = time.perf_counter() - started
    await pg.close()
    conn.close()
    return elapsed, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: apt-get install postgresql")
    server = TempPostgres.start(bindir)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "archive.db"
            started = time.perf_counter()
            asyncio.run(build_archive(source, args.posts))
            built = time.perf_counter() - started
            size = source.stat().st_size / 1e6
            ours_s, rows, phases = asyncio.run(ours(source, server.url(server.create_database())))
            dsn = f"postgresql://postgres@127.0.0.1:{server.port}/{server.create_database()}"
            asyncio.run(_migrated(server.url(dsn.rsplit("/", 1)[1])))
            base_s, base_rows = asyncio.run(baseline(source, dsn))
    finally:
        server.stop()
    print(f"archive of {args.posts} posts ({size:.0f} MB SQLite) built in {built:.1f} s")
    print(f"| {'what':<52} | {'seconds':>8} | {'rows/s':>8} | {'ratio':>6} |")
    print(f"|{'-' * 54}|{'-' * 10}|{'-' * 10}|{'-' * 8}|")
    b = base_rows / base_s
    print(
        f"| {'baseline: messages via sqlite3 + asyncpg COPY':<52} | {base_s:>8.1f} | {b:>8,.0f} "
        f"| {1:>6.2f} |"
    )
    o = rows / ours_s
    print(
        f"| {'migrate-db end to end (copy, index, verify)':<52} | {ours_s:>8.1f} | {o:>8,.0f} "
        f"| {o / b:>6.3f} |"
    )
    for phase, seconds in phases.items():
        label = {
            "tables": "  of which: rows in batches with markers",
            INDEX_STEP: "  of which: search index rebuilt",
            VERIFY_STEP: "  of which: count + sha256 of both sides",
        }[phase]
        print(f"| {label:<52} | {seconds:>8.1f} | {'':>8} | {'':>6} |")


async def _migrated(url: str) -> None:
    engine = open_engine(url)
    await upgrade(engine)
    await engine.dispose()


if __name__ == "__main__":
    main()
