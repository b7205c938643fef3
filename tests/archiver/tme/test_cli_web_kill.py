"""kill -9 of `tgmirror sync` and `tgmirror run` in a long t.me/s backfill, then a restart:
exactly the channel's history, and each restart goes on from the stored `?before=` cursor
instead of walking down from the newest page again (counted on the simulator's t.me)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import archive_sql

from archiver.simulator import World
from archiver.simulator.web_preview import serve_web
from archiver.tme.follow import web_channel_id

POSTS = 1200  # 60 pages of 20
CONFIG = """\
[storage]
data_dir = "data"
{database}[web_preview]
base_url = "{base_url}"
rate = 8.0

[[channels]]
ref = "@longread"
source = "web"
"""


def _cursor(url: str) -> int | None:
    found = archive_sql.rows(url, "SELECT pass_offset_id FROM sync_state")
    return None if not found or found[0][0] is None else int(found[0][0])


def _kill_when_cursor_below(command: str, url: str, below: int, cwd: Path) -> int:
    """Start `tgmirror <command>`, SIGKILL it once its stored cursor is under `below`;
    returns the cursor it left."""
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    proc = subprocess.Popen(
        [str(script), command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            cursor = _cursor(url)
            if cursor is not None and cursor < below:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
    left = _cursor(url)
    assert left is not None and left < below
    return left


def _befores(pages: list[str]) -> list[int | None]:
    return [int(p.split("before=")[1]) if "before=" in p else None for p in pages]


def test_killed_web_backfills_resume_from_their_cursor(cli, cli_db, tmp_path: Path) -> None:
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("longread", "Long read")
    for n in range(POSTS):
        world.post(ch, f"post {n}", push=False)
    with serve_web(world.path) as app:
        (tmp_path / "tgmirror.toml").write_text(
            CONFIG.format(database=cli_db.setting, base_url=app.state.base_url),
            encoding="utf-8",
        )
        assert cli("db", "upgrade").returncode == 0
        pages: list[str] = app.state.pages
        first = _kill_when_cursor_below("sync", cli_db.url, POSTS - 300, tmp_path)
        seen = len(pages)
        second = _kill_when_cursor_below("run", cli_db.url, first - 300, tmp_path)
        after_run = _befores(pages[seen:])
        seen = len(pages)
        final = cli("sync")
        assert final.returncode == 0, final.stdout + final.stderr
        after_sync = _befores(pages[seen:])
    # `run` looks at the newest page once as erasure witness, then goes on from the cursor;
    # `sync` goes straight on from the cursor.
    assert after_run.count(None) <= 1
    assert next(b for b in after_run if b is not None) == first
    assert after_sync[0] == second
    bottom = next(i for i, b in enumerate(after_sync) if b is not None and b <= 21)
    walk = pages[: seen + bottom + 1]  # then the sweep of older pages starts at the top
    assert all(b is not None and b <= second for b in after_sync[: bottom + 1])
    assert len(walk) <= POSTS // 20 + 5  # the walk once, the add's and run's looks, re-reads
    ids = archive_sql.column(
        cli_db.url,
        "SELECT msg_id FROM messages WHERE channel_id = :c ORDER BY msg_id",
        c=web_channel_id("longread"),
    )
    assert ids == list(range(1, POSTS + 1))  # no gap, no duplicate
