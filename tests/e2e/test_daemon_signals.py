"""``tgmirror run`` as a process: SIGTERM exits cleanly, kill -9 loses nothing on restart."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
from pathlib import Path

import archive_sql
from waiting import wait_for

from archiver.simulator import ChannelSpec, World, generate_world
from archiver.worker.daemon import STOP_GRACE

_wait = functools.partial(wait_for, seconds=30, every=0.1)
CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
history_page_delay = 0.05
poll_interval = 1
reconcile_interval = 2
[live]
poll_budget = 600
min_poll_interval = 1
max_poll_interval = 1
[[channels]]
ref = "@busy_feed"
"""


def _setup(cli, tmp_path: Path, database: str) -> World:
    world = generate_world(
        tmp_path / "world.sqlite",
        seed=9,
        channels=[ChannelSpec("busy_feed", "Busy feed", lang="en", posts=4000, media=False)],
    )
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=database))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    return world


def _start(tmp_path: Path, web: bool = False) -> subprocess.Popen:
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    args = [str(script), "run"] if web else [str(script), "run", "--no-web"]
    return subprocess.Popen(
        args,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stored(url: str, channel_id: int) -> list[int]:
    query = "SELECT msg_id FROM messages WHERE channel_id = :channel ORDER BY msg_id"
    return archive_sql.column(url, query, channel=channel_id)


def test_sigterm_while_busy_exits_cleanly_and_restart_completes(
    cli, cli_db, tmp_path: Path
) -> None:
    world = _setup(cli, tmp_path, cli_db.setting)
    ch = world.channel_id("busy_feed")
    proc = _start(tmp_path)
    _wait(lambda: len(_stored(cli_db.url, ch)) > 300)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Stopped cleanly." in out and "Traceback" not in out
    partial = _stored(cli_db.url, ch)
    assert len(partial) < 4000  # it really was busy
    proc = _start(tmp_path)
    _wait(lambda: len(_stored(cli_db.url, ch)) == 4000)
    new = world.post(ch, text="posted while running")
    _wait(lambda: new in _stored(cli_db.url, ch), seconds=10)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert _stored(cli_db.url, ch) == list(range(1, 4002))


def test_sigterm_while_answers_are_lost_stops_within_the_grace(cli, cli_db, tmp_path: Path) -> None:
    """Telethon re-sends a request whose answer was lost only when its keep-alive finds the
    connection silent (60-120 s against Telegram): a SIGTERM must not wait for that."""
    world = _setup(cli, tmp_path, cli_db.setting)
    ch = world.channel_id("busy_feed")
    proc = _start(tmp_path)
    _wait(lambda: len(_stored(cli_db.url, ch)) > 300)
    world.set_random_faults(1.0, kinds=["LOST"], lost_delay=600)
    _wait(lambda: world.injected_faults().get("LOST", 0) > 0)
    stored = _stored(cli_db.url, ch)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=STOP_GRACE + 30)  # not the 600 s the answer would take
    assert proc.returncode == 0, out
    assert "Stopped cleanly." in out and "Traceback" not in out, out
    assert "interrupted; what it committed is kept" in out, out
    assert _stored(cli_db.url, ch)[: len(stored)] == stored
    world.set_random_faults(0)
    proc = _start(tmp_path)
    _wait(lambda: len(_stored(cli_db.url, ch)) == 4000)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert _stored(cli_db.url, ch) == list(range(1, 4001))


def test_kill_9_while_busy_loses_nothing_on_restart(cli, cli_db, tmp_path: Path) -> None:
    world = _setup(cli, tmp_path, cli_db.setting)
    ch = world.channel_id("busy_feed")
    for cut in (200, 1500, 2800):
        proc = _start(tmp_path)
        _wait(lambda cut=cut: len(_stored(cli_db.url, ch)) > cut)
        proc.kill()
        proc.wait()
    proc = _start(tmp_path)
    _wait(lambda: len(_stored(cli_db.url, ch)) == 4000)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert _stored(cli_db.url, ch) == list(range(1, 4001))


def test_run_serves_the_mirror_in_the_same_process(cli, cli_db, tmp_path: Path) -> None:
    import socket

    import httpx

    world = _setup(cli, tmp_path, cli_db.setting)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = (tmp_path / "tgmirror.toml").read_text()
    (tmp_path / "tgmirror.toml").write_text(config + f'\n[web]\nport = {port}\npublish = "all"\n')
    proc = _start(tmp_path, web=True)
    try:

        def serving() -> bool:
            try:
                return (
                    httpx.get(f"http://127.0.0.1:{port}/api/channels", timeout=1).status_code == 200
                )
            except httpx.HTTPError:
                return False

        _wait(serving)
        _wait(lambda: len(_stored(cli_db.url, world.channel_id("busy_feed"))) == 4000, seconds=60)
        page = httpx.get(f"http://127.0.0.1:{port}/busy_feed", timeout=5)
        assert page.status_code == 200 and 'id="post-4000"' in page.text
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
