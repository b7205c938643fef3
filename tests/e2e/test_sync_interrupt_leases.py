"""Ctrl-C on a running ``tgmirror sync`` gives its channel leases back, so that a ``tgmirror
run`` worker can take the channels at once instead of waiting for the leases to expire."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import archive_sql
from waiting import poll_until

from archiver.simulator import ChannelSpec, generate_world

CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
history_page_delay = 0.2
[[channels]]
ref = "@longread"
"""


def _sigint_as_at_a_terminal() -> None:
    """In the child before exec: SIGINT at its default, as under a shell's foreground job.

    A suite started as a background job of a non-interactive shell (``.ci/run &``) inherits
    SIGINT ignored, an ignored signal stays ignored across exec, and Python then installs no
    KeyboardInterrupt handler: the sync would run to its end (as in the 2026-12-03 CI clone).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _lease_holders(url: str) -> list[str]:
    return archive_sql.column(url, "SELECT worker_id FROM channel_leases")


def test_an_interrupted_sync_releases_its_leases(cli, cli_db, tmp_path: Path) -> None:
    generate_world(
        tmp_path / "world.sqlite",
        seed=3,
        channels=[ChannelSpec("longread", "Long read", posts=6000, media=False)],
    ).close()
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    proc = subprocess.Popen(
        [str(script), "sync"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_sigint_as_at_a_terminal,
    )
    try:
        # until the sync holds its lease (or ended: the assertions below say which)
        poll_until(lambda: proc.poll() is not None or bool(_lease_holders(cli_db.url)), 30, 0.05)
        holders = _lease_holders(cli_db.url)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert holders == [f"{socket.gethostname()}-{proc.pid}"], out + err
    assert proc.returncode == 130, out + err
    assert _lease_holders(cli_db.url) == []
