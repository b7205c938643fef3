"""`tgmirror run` on a channel read from t.me/s alone, under random HTTP faults (5xx,
timeouts, cut-off bodies): no false alarm and no tombstone while the channel is there; then
its deletion, its going private and a country block are each established, and the archive
says from what t.me showed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import archive_sql
import pytest
from waiting import wait_for

from archiver.simulator import World
from archiver.simulator.web_preview import WebFaults, serve_web
from archiver.tme.follow import web_channel_id

CONFIG = """\
[storage]
data_dir = "data"
{database}[web_preview]
base_url = "{base_url}"
rate = 50.0
timeout = 0.5

[archive]
poll_interval = 1
reconcile_interval = 1
erasure_confirmations = 3
erasure_check_interval = 1

[[channels]]
ref = "@daily"
source = "web"
"""
CHANNEL = web_channel_id("daily")


def _erase(world: World, ch: int, change: str) -> None:
    if change == "delete":
        world.delete_channel(ch)
    elif change == "private":
        world.make_private(ch)
        world.set_username(ch, None)
    else:
        world.restrict(ch, "all", "other", "This channel is blocked in your country.")


@pytest.mark.parametrize(
    ("change", "reason", "shown"),
    [
        ("delete", "username_gone", 'the plain "Contact @name" page'),
        ("private", "username_gone", 'the plain "Contact @name" page'),
        ("country", "restricted", "blocked notice: This channel is blocked in your country."),
    ],
)
def test_run_establishes_erasure_from_tme_and_never_from_faults(
    cli, cli_db, tmp_path: Path, change: str, reason: str, shown: str
) -> None:  # type: ignore[no-untyped-def]
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily news")
    for n in range(45):
        world.post(ch, f"post {n}", push=False)
    faults = WebFaults(rate=0.0, seed=len(change), stall_seconds=2.0)
    with serve_web(world.path, faults) as app:
        (tmp_path / "tgmirror.toml").write_text(
            CONFIG.format(database=cli_db.setting, base_url=app.state.base_url),
            encoding="utf-8",
        )
        assert cli("db", "upgrade").returncode == 0
        assert cli("sync").returncode == 0
        faults.rate = 0.3
        env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "tgmirror"), "run", "--no-web"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_for(
                lambda: (
                    set(faults.injected) == {"5xx", "timeout", "truncated"}
                    and sum(faults.injected.values()) >= 12
                ),
                120,
                what="the daemon met every kind of fault",
            )
            alarms = archive_sql.value(
                cli_db.url,
                "SELECT count(*) FROM events"
                " WHERE channel_id = :c AND kind IN ('suspect', 'erased')",
                c=CHANNEL,
            )
            tombstones = archive_sql.value(
                cli_db.url, "SELECT count(*) FROM messages WHERE deleted_at IS NOT NULL"
            )
            assert (alarms, tombstones) == (0, 0)
            _erase(world, ch, change)  # the faults go on
            status = "SELECT status FROM channels WHERE id = :c"
            wait_for(
                lambda: archive_sql.value(cli_db.url, status, c=CHANNEL) == "erased",
                120,
                what="the erasure was established",
            )
        finally:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
            out, _ = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, out
    row = archive_sql.one(
        cli_db.url, "SELECT status_reason, status_detail FROM channels WHERE id = :c", c=CHANNEL
    )
    assert row is not None and row[0] == reason
    assert row[1] == f"t.me: {shown}"  # how it was established, as the mirror shows it
    assert (
        archive_sql.value(cli_db.url, "SELECT count(*) FROM messages WHERE deleted_at IS NOT NULL")
        == 0
    )  # the channel went; its posts were not deleted one by one
