"""Faults while the daemon runs: readers during writes, a network outage, secrets in output."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import archive_sql
import httpx
from waiting import poll_until

from archiver.simulator import ChannelSpec, World, generate_world
from web.channel_cache import ChannelCache

SECRET_HASH = "0123456789abcdef0123456789abcdef"
CACHE_AGE = ChannelCache().max_age


def _archive(cli, tmp_path: Path, database: str, posts: int, extra: str = "") -> World:
    world = generate_world(
        tmp_path / "world.sqlite",
        seed=6,
        channels=[
            ChannelSpec("feed_one", "Feed one", lang="ru", posts=posts, media=True),
            ChannelSpec("feed_two", "Feed two", lang="ar", posts=posts // 2, media=False),
        ],
    )
    (tmp_path / "tgmirror.toml").write_text(
        f'[simulator]\nworld = "world.sqlite"\n[storage]\ndata_dir = "data"\n{database}'
        "[archive]\nhistory_page_delay = 0.02\npoll_interval = 1\nreconcile_interval = 2\n"
        "erasure_check_interval = 1\nerasure_confirmations = 2\n"
        + extra
        + "[live]\npoll_budget = 600\nmin_poll_interval = 1\nmax_poll_interval = 1\n"
        + '[[channels]]\nref = "@feed_one"\n[[channels]]\nref = "@feed_two"\n'
    )
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    return world


def _run(tmp_path: Path, *args: str) -> subprocess.Popen:
    """Start the daemon; its output goes to ``run.log`` (a pipe nobody reads would fill up
    and block its logging). ``_output`` reads it once it has stopped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    env["TGMIRROR_API_HASH"] = SECRET_HASH
    script = Path(sys.executable).parent / "tgmirror"
    with open(tmp_path / "run.log", "w") as log:
        return subprocess.Popen(
            [str(script), "run", *args],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _stop(proc: subprocess.Popen, tmp_path: Path) -> str:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return (tmp_path / "run.log").read_text()


def _channels(url: str) -> int:
    return archive_sql.value(url, "SELECT count(*) FROM channels")


def _count(url: str) -> int:
    return archive_sql.value(url, "SELECT count(*) FROM messages")


def test_readers_never_see_a_locked_database_while_the_daemon_writes(
    cli, cli_db, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world = _archive(
        cli, tmp_path, cli_db.setting, 3000, f'[web]\nport = {port}\npublish = "all"\n'
    )
    proc = _run(tmp_path)
    statuses: dict[int, int] = {}

    async def read_while_writing() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            ready_at = None
            while _count(cli_db.url) < 4500 and time.monotonic() < deadline:
                if ready_at is None and _channels(cli_db.url) == 2:  # before the requests
                    ready_at = time.monotonic()
                # the mirror remembers "no such channel" for up to CACHE_AGE (channel_cache.py)
                ready = ready_at is not None and time.monotonic() - ready_at > CACHE_AGE
                try:
                    pages = await asyncio.gather(
                        client.get("/feed_one"),
                        client.get("/api/channels/feed_two/posts"),
                        client.get("/search", params={"q": "خبر"}),
                        client.get("/"),
                    )
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
                    continue
                if any(p.status_code == 404 for p in pages) and not ready:
                    continue  # a channel not archived yet is rightly not found
                for page in pages:
                    statuses[page.status_code] = statuses.get(page.status_code, 0) + 1

    try:
        asyncio.run(read_while_writing())
    finally:
        out = _stop(proc, tmp_path)
    assert proc.returncode == 0, out
    assert "locked" not in out
    assert set(statuses) <= {200, 400}, statuses  # 400: a search before words were indexed
    assert sum(statuses.values()) > 50
    assert _count(cli_db.url) == 4500
    assert world.channel_id("feed_one")
    print(f"\n{sum(statuses.values())} reads while the daemon wrote: {statuses}; 'locked': 0")


def test_an_outage_while_following_never_erases_and_loses_nothing(
    cli, cli_db, tmp_path: Path
) -> None:
    world = _archive(cli, tmp_path, cli_db.setting, 400)
    proc = _run(tmp_path, "--no-web")
    try:
        poll_until(lambda: _count(cli_db.url) >= 600, 30)
        world.set_outage(True)
        one = world.channel_id("feed_one")
        for i in range(20):
            world.post(one, text=f"posted during the outage {i}", push=False)
        time.sleep(8)  # several erasure checks fail with network errors meanwhile
        world.set_outage(False)
        poll_until(lambda: _count(cli_db.url) >= 620, 40)
    finally:
        world.set_outage(False)
        out = _stop(proc, tmp_path)
    statuses = archive_sql.column(cli_db.url, "SELECT status FROM channels")
    events = archive_sql.column(cli_db.url, "SELECT kind FROM events")
    assert statuses == ["active", "active"]
    assert "erased" not in events and "suspect" not in events
    assert _count(cli_db.url) == 620, out[-2000:]
    assert SECRET_HASH not in out
