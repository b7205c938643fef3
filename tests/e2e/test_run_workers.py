"""Three ``tgmirror run --worker-id`` processes, each with its own Telegram session, archive 30
channels into one PostgreSQL database; one is frozen (SIGSTOP) past its leases' expiry and
resumed, another is killed with kill -9 mid-run. The others take their channels over, every
channel ends complete with each message once, and a journal kept by PostgreSQL triggers shows
that no channel was ever written by a worker not holding its lease.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from waiting import wait_for

from archiver.simulator import ChannelSpec, World, generate_world

_wait = functools.partial(wait_for, seconds=120, every=0.2)
WORKERS = ("w1", "w2", "w3")
CHANNELS = 30

# Every committed write of a channel's archive, in the database's own order, with the
# connection's application name ("tgmirror run <worker id>"); and every lease taken.
JOURNAL = """
CREATE TABLE write_journal (
    seq BIGSERIAL PRIMARY KEY, channel_id BIGINT NOT NULL, writer TEXT NOT NULL,
    what TEXT NOT NULL);
CREATE FUNCTION journal_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE channel BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'message_media' THEN
        SELECT m.channel_id INTO channel FROM messages m WHERE m.id = NEW.message_id;
    ELSE
        channel := NEW.channel_id;
    END IF;
    INSERT INTO write_journal (channel_id, writer, what)
    VALUES (channel, current_setting('application_name'), TG_TABLE_NAME || ' ' || TG_OP);
    RETURN NEW;
END $$;
CREATE FUNCTION journal_lease() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.taken_at <> NEW.taken_at OR OLD.worker_id <> NEW.worker_id THEN
        INSERT INTO write_journal (channel_id, writer, what)
        VALUES (NEW.channel_id, NEW.worker_id, 'lease taken');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER journal AFTER INSERT OR UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION journal_write();
CREATE TRIGGER journal AFTER INSERT OR UPDATE ON message_media
    FOR EACH ROW EXECUTE FUNCTION journal_write();
CREATE TRIGGER journal AFTER UPDATE ON sync_state
    FOR EACH ROW EXECUTE FUNCTION journal_write();
CREATE TRIGGER journal AFTER INSERT OR UPDATE ON channel_leases
    FOR EACH ROW EXECUTE FUNCTION journal_lease();
"""


def _config(url: str, names: list[str]) -> str:
    channels = "".join(f'[[channels]]\nref = "@{name}"\n' for name in names)
    return f"""\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
database = "{url}"
[archive]
history_page_delay = 1.0
concurrency = 2
poll_interval = 2
reconcile_interval = 5
max_channels = 15
lease_duration = 10
lease_renew_interval = 1
[live]
poll_budget = 600
min_poll_interval = 2
max_poll_interval = 2
{channels}"""


class Database:
    """Reads the archive's PostgreSQL database from the test, one short connection a query."""

    def __init__(self, url: str) -> None:
        self.dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    def rows(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async def go() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(self.dsn)
            try:
                return await conn.fetch(sql, *args)
            finally:
                await conn.close()

        return asyncio.run(go())

    def execute(self, sql: str) -> None:
        async def go() -> None:
            conn = await asyncpg.connect(self.dsn)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(go())

    def stored(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for r in self.rows("SELECT channel_id, msg_id FROM messages ORDER BY msg_id"):
            out.setdefault(r["channel_id"], []).append(r["msg_id"])
        return out

    def written_by(self, worker: str) -> set[int]:
        """Channels whose archive `worker` has written to, by the journal."""
        sql = "SELECT DISTINCT channel_id FROM write_journal WHERE writer = $1"
        return {r["channel_id"] for r in self.rows(sql, f"tgmirror run {worker}")}

    def holders(self) -> dict[int, str]:
        rows = self.rows("SELECT channel_id, worker_id FROM channel_leases")
        return {r["channel_id"]: r["worker_id"] for r in rows}

    def media_waiting(self) -> int:
        sql = "SELECT count(*) AS n FROM message_media WHERE status IN ('pending', 'failed')"
        return self.rows(sql)[0]["n"]


@pytest.fixture
def pg_archive(pg_server, pg_template):
    name = pg_server.create_database(pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


def _world(tmp_path: Path) -> tuple[World, list[str]]:
    rng = random.Random(30)
    langs = ("en", "ru", "ar", "fa", "uk")
    specs = [
        ChannelSpec(
            f"feed_{n:02d}",
            f"Feed {n}",
            lang=langs[n % 5],
            posts=rng.randint(150, 300),
            media=n % 3 == 0,
        )
        for n in range(CHANNELS)
    ]
    return generate_world(tmp_path / "world.sqlite", seed=30, channels=specs), [
        s.username for s in specs
    ]


def _start(tmp_path: Path, worker: str) -> subprocess.Popen:
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    args = [str(script), "--session", f"{worker}.session", "run", "--no-web", "--worker-id", worker]
    log = (tmp_path / f"{worker}.log").open("w")
    return subprocess.Popen(
        args,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _mid_run(db: Database, expected: dict[int, list[int]], besides: str = "") -> str:
    """A worker holding a channel it has itself begun (by the journal: one that has just taken
    a frozen worker's begun channels has written none of them) and not finished."""

    def mid_run_worker() -> str | None:
        stored, holders = db.stored(), db.holders()
        for worker in (w for w in WORKERS if w != besides):
            mine = {cid for cid, holder in holders.items() if holder == worker}
            begun = db.written_by(worker) & mine
            if any(stored.get(cid, []) != expected[cid] for cid in begun):
                return worker
        return None

    return wait_for(mid_run_worker, 120, what="no worker was ever mid-run")


@pytest.mark.slow
def test_three_workers_one_killed_archive_every_channel_once(cli, tmp_path, pg_archive) -> None:
    world, names = _world(tmp_path)
    expected = {
        world.channel_id(name): sorted(
            m["msg_id"] for m in world.messages(world.channel_id(name), include_deleted=False)
        )
        for name in names
    }
    (tmp_path / "tgmirror.toml").write_text(_config(pg_archive, names))
    db = Database(pg_archive)
    db.execute(JOURNAL)
    for worker in WORKERS:  # one Telegram account per worker
        login = cli(
            "--session", f"{worker}.session", "login", "--phone", "+15550000000", input="12345\n"
        )
        assert login.returncode == 0, login.stderr
    procs = {worker: _start(tmp_path, worker) for worker in WORKERS}
    try:
        # One worker freezes mid-run past its leases' expiry (a long GC pause, a stalled VM):
        # others take its channels, and once it runs again it must not write them any more.
        paused = _mid_run(db, expected)
        held_by_paused = {cid for cid, w in db.holders().items() if w == paused}
        procs[paused].send_signal(signal.SIGSTOP)
        _wait(lambda: any(db.holders().get(cid) not in (None, paused) for cid in held_by_paused))
        procs[paused].send_signal(signal.SIGCONT)  # it keeps the leases no one took meanwhile
        victim = _mid_run(db, expected, besides=paused)
        held_by_victim = {cid for cid, w in db.holders().items() if w == victim}
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait()
        # Before its leases expire, the dead worker still shows as its channels' worker. (JSON:
        # in CI's 80-column table, rich folds the "worker" heading and the ids inside it.)
        status = cli("status", "--json")
        assert status.returncode == 0, status.stderr
        shown = {row["id"]: row["worker_id"] for row in json.loads(status.stdout)}
        assert victim in shown.values(), shown
        _wait(lambda: db.stored() == expected and db.media_waiting() == 0)
        _wait(lambda: len(db.holders()) == CHANNELS and victim not in db.holders().values())
        as_json = cli("status", "--json")
        holders = {row["id"]: row["worker_id"] for row in json.loads(as_json.stdout)}
        survivors = [w for w in WORKERS if w != victim]
        assert paused in survivors
        for worker in survivors:
            procs[worker].send_signal(signal.SIGTERM)
        for worker in survivors:
            assert procs[worker].wait(60) == 0, (tmp_path / f"{worker}.log").read_text()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    logs = {w: (tmp_path / f"{w}.log").read_text() for w in WORKERS}
    for worker in survivors:
        assert "Stopped cleanly." in logs[worker] and "Traceback" not in logs[worker]
    # Every channel complete, each message once.
    assert db.stored() == expected
    counts = db.rows(
        "SELECT count(*) AS n, count(DISTINCT (channel_id, msg_id)) AS d FROM messages"
    )
    assert counts[0]["n"] == counts[0]["d"] == sum(map(len, expected.values()))
    # The dead and the frozen worker's channels were taken over; every lease is released.
    assert set(holders) == set(expected) and set(holders.values()) <= set(survivors)
    taken_over: dict[str, set[int]] = {}
    for r in db.rows("SELECT channel_id, detail FROM events WHERE kind = 'worker_changed'"):
        taken_over.setdefault(json.loads(r["detail"])["previous"], set()).add(r["channel_id"])
    assert taken_over[victim] == held_by_victim
    assert taken_over[paused] and taken_over[paused] <= held_by_paused
    assert set(taken_over) == {victim, paused}
    assert db.holders() == {}
    # In the database's own order, every write of a channel came from its lease's holder.
    writes = db.rows("SELECT channel_id, writer, what FROM write_journal ORDER BY seq")
    holder: dict[int, str] = {}
    writers: dict[int, list[str]] = {}
    for row in writes:
        cid = row["channel_id"]
        if row["what"] == "lease taken":
            holder[cid] = row["writer"]
            continue
        writer = row["writer"].removeprefix("tgmirror run ")
        assert writer == holder.get(cid), (cid, row, holder.get(cid))
        if writers.setdefault(cid, [writer])[-1] != writer:
            writers[cid].append(writer)
    assert set(writers) == set(expected)
    victim_wrote = {cid for cid, ws in writers.items() if victim in ws}
    assert victim_wrote and victim_wrote <= held_by_victim
    assert any(len(writers[cid]) >= 2 for cid in victim_wrote)  # begun by one, ended by another
    paused_wrote = {cid for cid, ws in writers.items() if paused in ws}
    assert paused_wrote & held_by_paused
    assert "stopping" in logs[paused] or "no longer ours" in logs[paused]  # it noticed
    print(
        f"\npaused {paused} held {len(held_by_paused)} channels; killed {victim} held "
        f"{len(held_by_victim)}, had written {len(victim_wrote)}; "
        f"journal rows checked: {len(writes)}"
    )


def test_a_bad_worker_id_is_one_line(cli, tmp_path) -> None:
    result = cli("run", "--no-web", "--worker-id", "two words")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--worker-id: expected 1 to 128 printable characters without spaces" in lines[0]
