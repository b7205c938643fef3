"""kill -9 of a running ``tgmirror sync`` at random moments, then a re-run: exactly the history.

Runs the installed command as a user would, against a simulated Telegram kept in a file, so the
subprocess and the test see the same world.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import archive_sql

from archiver.simulator import ChannelSpec, World, generate_world

CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
history_page_delay = 0.05
concurrency = 2
[[channels]]
ref = "@longread"
[[channels]]
ref = "@pictures"
"""


def _world_ids(world_path: Path, usernames: list[str]) -> dict[int, list[int]]:
    world = World.open(world_path)
    try:
        ids = [world.channel_id(name) for name in usernames]
        return {
            cid: sorted(m["msg_id"] for m in world.messages(cid, include_deleted=False))
            for cid in ids
        }
    finally:
        world.close()


def test_killed_syncs_resume_to_exactly_the_full_history(cli, cli_db, tmp_path: Path) -> None:
    generate_world(
        tmp_path / "world.sqlite",
        seed=11,
        channels=[
            ChannelSpec("longread", "Long read", lang="ru", posts=6000, media=False),
            ChannelSpec("pictures", "Pictures", lang="ar", posts=150, media=True),
        ],
    ).close()
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    login = cli("login", "--phone", "+15550000000", input="12345\n")
    assert login.returncode == 0, login.stderr
    assert "Signed in" in login.stdout
    assert (tmp_path / "data" / "tgmirror.session").stat().st_mode & 0o777 == 0o600

    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    rng = random.Random(4)
    kills = 0
    for _ in range(5):
        proc = subprocess.Popen(
            [str(script), "sync"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.8, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = cli("sync")
    assert final.returncode == 0, final.stdout + final.stderr
    assert kills >= 3

    for channel_id, expected in _world_ids(
        tmp_path / "world.sqlite", ["longread", "pictures"]
    ).items():
        query = "SELECT msg_id FROM messages WHERE channel_id = :channel ORDER BY msg_id"
        assert archive_sql.column(cli_db.url, query, channel=channel_id) == expected
    query = "SELECT count(*) FROM message_media WHERE status IN ('pending', 'failed')"
    assert archive_sql.value(cli_db.url, query) == 0
    for sha, path, size in archive_sql.rows(
        cli_db.url, "SELECT sha256, path, size FROM media_files"
    ):
        data = (tmp_path / "data" / "media" / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha)
