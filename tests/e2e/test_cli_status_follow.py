"""``tgmirror status`` shows how each channel is followed and how fresh it is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import archive_sql
from waiting import wait_for

from archiver.simulator import World

CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[live]
follow = "poll"
min_poll_interval = 1
max_poll_interval = 1
[[channels]]
ref = "@polled_news"
[[channels]]
ref = "@joined_news"
follow = "join"
"""


def test_status_shows_follow_mode_and_time_since_last_check(cli, cli_db, tmp_path: Path) -> None:
    world = World.create(tmp_path / "world.sqlite")
    polled = world.add_channel("polled_news", "Polled News")
    joined = world.add_channel("joined_news", "Joined News")
    for ch in (polled, joined):
        world.post(ch, text="hello", push=False)
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    before = {s["username"]: s for s in json.loads(cli("status", "--json").stdout)}
    assert before == {}  # nothing added yet: `run` adds the channels of the config
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    proc = subprocess.Popen(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        query = "SELECT COUNT(*) FROM sync_state WHERE last_check_at IS NOT NULL"
        wait_for(lambda: archive_sql.column(cli_db.url, query) == [2], seconds=30, every=0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    status = {s["username"]: s for s in json.loads(cli("status", "--json").stdout)}
    assert status["polled_news"]["follow"] == "poll"
    assert status["joined_news"]["follow"] == "join"
    assert all(0 <= s["freshness_seconds"] < 120 for s in status.values())
    assert world.joined_channels() == [joined]
    lines = cli("status").stdout.splitlines()
    assert "follow" in next(line for line in lines if "channel" in line)
    row = next(n for n, line in enumerate(lines) if "Polled News" in line)
    assert "poll" in lines[row] and "checked" in lines[row + 1] and "s ago" in lines[row + 1]
