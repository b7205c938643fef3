"""``tgmirror migrate-db --to URL`` as a user runs it: SQLite → PostgreSQL → SQLite, kill -9 and
resume, archiving on into the new database, refusals and bad URLs in one line."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from archiver.db.engine import open_engine, upgrade
from archiver.db.schema import message_revisions, messages
from archiver.rows import ChannelRow, MessageRow
from archiver.simulator import World
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages


@pytest.fixture
def pg_url(pg_server):
    """A new empty PostgreSQL database, with a password in its URL (trust auth ignores it)."""
    name = pg_server.create_database()
    yield pg_server.url(name).replace("postgres@", "postgres:s3cret@")
    pg_server.drop_database(name)


def _config(folder: Path, database: str | None = None, world: Path | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    text = '[storage]\ndata_dir = "data"\n'
    text += f'database = "{database}"\n' if database else ""
    text += f'[simulator]\nworld = "{world}"\n' if world else ""
    (folder / "tgmirror.toml").write_text(text)
    return folder


def _checksums(stdout: str) -> dict[str, str]:
    """table → sha256 prefix from the summary table of a successful run."""
    found = re.findall(r"^[│|]? *(\w+) .*? ([0-9a-f]{16}) +[│|]? *ok", stdout, re.M)
    return dict(found)


def _count(url: str, table: sa.Table) -> int:
    async def go() -> int:
        engine = open_engine(url)
        async with engine.connect() as conn:
            value = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar()
        await engine.dispose()
        return value

    return asyncio.run(go())


@pytest.mark.sqlite_only  # the source is the SQLite file; the PostgreSQL side is pg_url
def test_archive_moves_to_postgresql_and_back_and_keeps_archiving(
    cli, archive_copy, pg_url, tmp_path: Path
) -> None:
    home = _config(tmp_path)
    there = cli("migrate-db", "--to", pg_url, cwd=home)
    assert there.returncode == 0, there.stderr
    assert "s3cret" not in there.stdout + there.stderr
    assert "Verified: every table" in there.stdout and "Search index rebuilt" in there.stdout
    sums = _checksums(there.stdout)
    assert {"channels", "messages", "message_revisions", "events", "media_files"} <= set(sums)

    shutil.copyfile(archive_copy["root"] / "world.sqlite", tmp_path / "world.sqlite")
    on_pg = _config(tmp_path / "pg", pg_url, tmp_path / "world.sqlite")
    shutil.copytree(tmp_path / "data", on_pg / "data")  # the session and media stay put
    back = cli("migrate-db", "--to", "sqlite+aiosqlite:///back.db", cwd=on_pg)
    assert back.returncode == 0, back.stderr
    assert _checksums(back.stdout) == sums
    assert (on_pg / "back.db").exists()

    world = World.open(tmp_path / "world.sqlite")
    en = archive_copy["en"]
    world.post(en, text="first post after the move", push=False)
    world.edit(en, archive_copy["ids"]["edited"], text="version five", push=False)
    world.close()
    before = _count(pg_url, messages), _count(pg_url, message_revisions)
    synced = cli("sync", "@open_wire", cwd=on_pg)
    assert synced.returncode == 0, synced.stderr
    assert "1 new messages, 1 edited" in synced.stdout
    assert (_count(pg_url, messages), _count(pg_url, message_revisions)) == (
        before[0] + 1,
        before[1] + 1,
    )


async def _store_archive(url: str, posts: int) -> None:
    engine = open_engine(url)
    await upgrade(engine)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=5, access_hash=1, title="big"), 1000)
        for start in range(1, posts + 1, 5000):
            rows = [
                MessageRow(
                    channel_id=5,
                    msg_id=k,
                    date=k,
                    text=f"post number {k}",
                    views=k,
                    raw=os.urandom(64),
                )
                for k in range(start, min(start + 5000, posts + 1))
            ]
            await save_messages(conn, rows, 1000)
    await engine.dispose()


def _copied_messages(pg_server, url: str) -> int:
    database = url.rsplit("/", 1)[1]
    query = "SELECT coalesce(max(rows_copied), 0) FROM copy_progress WHERE table_name='messages'"
    where = ["-h", "127.0.0.1", "-p", str(pg_server.port), "-U", "postgres", "-d", database]
    command = [str(pg_server.bindir / "psql"), "-X", "-tA", *where, "-c", query]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def test_a_killed_copy_resumes_without_duplicates(cli, pg_server, pg_url, tmp_path: Path) -> None:
    home = _config(tmp_path)
    asyncio.run(_store_archive(f"sqlite+aiosqlite:///{home / 'data' / 'tgmirror.db'}", 30_000))
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    proc = subprocess.Popen(
        [str(script), "migrate-db", "--to", pg_url],
        cwd=home,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while proc.poll() is None and _copied_messages(pg_server, pg_url) < 2000:
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    interrupted_at = _copied_messages(pg_server, pg_url)
    assert 2000 <= interrupted_at < 30_000

    again = cli("migrate-db", "--to", pg_url, cwd=home)
    assert again.returncode == 0, again.stderr
    copied = int(re.search(r"Copied (\d+) rows", again.stdout).group(1))
    assert "(resumed an interrupted copy)" in again.stdout
    assert copied < 30_000  # the rows committed before the kill were not copied again
    resumed = str(30_000 - interrupted_at)
    assert re.search(r"messages +[│|]? *30000 +[│|]? *30000 +[│|]? *" + resumed, again.stdout)
    assert "Verified: every table" in again.stdout
    assert _count(pg_url.replace(":s3cret", ""), messages) == 30_000

    third = cli("migrate-db", "--to", pg_url, cwd=home)
    assert third.returncode == 0, third.stderr
    assert "already held a finished copy of this archive; verified it again" in third.stdout


def test_a_target_holding_another_archive_is_refused(cli, tmp_path: Path) -> None:
    home = _config(tmp_path)
    asyncio.run(_store_archive(f"sqlite+aiosqlite:///{home / 'data' / 'tgmirror.db'}", 3))
    asyncio.run(_store_archive(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", 5))
    result = cli("migrate-db", "--to", "sqlite+aiosqlite:///other.db", cwd=home)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: the target database already holds an archive (table channels has rows); "
        "migrate-db never merges two archives: copy into an empty database"
    ]
    assert _count(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", messages) == 5


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://me:s3cret@127.0.0.1/x", "--to: use postgresql+asyncpg://… instead of"),
        ("mysql+aiomysql://u@h/x", "--to: mysql+aiomysql:// is not supported"),
        ("not a url", "--to: 'not a url' is not a database URL"),
        ("postgresql+asyncpg://me:s3cret@127.0.0.1:1/archive", "cannot open the database"),
        ("sqlite+aiosqlite:///data/tgmirror.db", "is the archive's own database"),
    ],
)
def test_a_bad_target_url_is_one_line(cli, tmp_path: Path, url: str, says: str) -> None:
    home = _config(tmp_path)
    asyncio.run(_store_archive(f"sqlite+aiosqlite:///{home / 'data' / 'tgmirror.db'}", 3))
    result = cli("migrate-db", "--to", url, cwd=home)
    assert result.returncode == 1
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_a_table_that_differs_after_the_copy_fails_verification_by_name(
    cli, tmp_path: Path
) -> None:
    home = _config(tmp_path)
    asyncio.run(_store_archive(f"sqlite+aiosqlite:///{home / 'data' / 'tgmirror.db'}", 20))
    assert cli("migrate-db", "--to", "sqlite+aiosqlite:///copy.db", cwd=home).returncode == 0
    with sqlite3.connect(home / "copy.db") as db:
        db.execute("UPDATE messages SET views = views + 1 WHERE msg_id = 7")
    result = cli("migrate-db", "--to", "sqlite+aiosqlite:///copy.db", cwd=home)
    assert result.returncode == 1
    assert "DIFFERS" in result.stdout
    assert result.stderr.strip().splitlines() == [
        "error: verification failed: messages differ between the source and copy.db; was the "
        "archive written during the copy? stop `tgmirror run` and copy into an empty database"
    ]
