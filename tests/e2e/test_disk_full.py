"""A full disk (RLIMIT_FSIZE) stops ``tgmirror sync`` with one clear line; once space is back,
a re-run completes the archive and ``tgmirror check`` finds nothing wrong.

RLIMIT_FSIZE bounds each file the process writes: on SQLite the database file outgrows it; a
PostgreSQL database grows in the server's own process, so there a media file larger than the
limit is what finds the disk full."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import archive_sql
from waiting import poll_until

from archiver.simulator import ChannelSpec, Document, World, generate_world

CONFIG = (
    '[simulator]\nworld = "world.sqlite"\n[storage]\ndata_dir = "data"\n{database}'
    '[[channels]]\nref = "@big_one"\n'
)


def _small_disk() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    # Soft limit only: the simulated Telegram in the same process lifts it for its own world file.
    resource.setrlimit(resource.RLIMIT_FSIZE, (900_000, resource.RLIM_INFINITY))


def _signed_in(cli, tmp_path: Path, database: str) -> tuple[World, Path, dict[str, str]]:
    """A 3,000-post world with media, a migrated database and a session; the command and
    the environment to run ``tgmirror`` with."""
    world = generate_world(
        tmp_path / "world.sqlite",
        seed=2,
        channels=[ChannelSpec("big_one", "Big", lang="en", posts=3000, media=True)],
    )
    if database:  # PostgreSQL: see the module's docstring
        report = Document(os.urandom(1_500_000), "application/pdf", file_name="report.pdf")
        world.post(world.channel_id("big_one"), text="a large report", media=report, push=False)
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=database))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    return world, Path(sys.executable).parent / "tgmirror", env


def test_full_disk_stops_cleanly_and_sync_resumes(cli, cli_db, tmp_path: Path) -> None:
    world, script, env = _signed_in(cli, tmp_path, cli_db.setting)
    full = subprocess.run(
        [str(script), "sync"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_small_disk,
        timeout=120,
    )
    assert full.returncode == 1
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and "the disk may be full" in lines[0], full.stderr
    assert "Traceback" not in full.stderr
    resumed = cli("sync")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    stored = archive_sql.column(cli_db.url, "SELECT msg_id FROM messages ORDER BY msg_id")
    cid = world.channel_id("big_one")
    assert stored == sorted(m["msg_id"] for m in world.messages(cid, include_deleted=False))
    check = cli("check")
    assert check.returncode == 0 and "0 problems" in check.stdout


def test_full_disk_stops_the_daemon_with_one_line_and_it_resumes(
    cli, cli_db, tmp_path: Path
) -> None:
    world, script, env = _signed_in(cli, tmp_path, cli_db.setting)
    full = subprocess.run(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_small_disk,
        timeout=120,
    )
    assert full.returncode == 1  # a supervisor (systemd) restarts it once space is back
    assert "Traceback" not in full.stderr
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith("error:") and "the disk may be full" in last, full.stderr
    resumed = subprocess.Popen(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    cid = world.channel_id("big_one")
    expected = sorted(m["msg_id"] for m in world.messages(cid, include_deleted=False))

    def archived() -> tuple[list[int], int]:
        query = "SELECT msg_id FROM messages ORDER BY msg_id"
        stored = archive_sql.column(cli_db.url, query)
        query = "SELECT count(*) FROM message_media WHERE status = 'pending'"
        return stored, archive_sql.value(cli_db.url, query)

    try:
        poll_until(lambda: archived() == (expected, 0), 120, every=0.5)
        stored, waiting = archived()
    finally:
        resumed.send_signal(signal.SIGTERM)
        _, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert stored == expected and waiting == 0
    check = cli("check")
    assert check.returncode == 0 and "0 problems" in check.stdout
