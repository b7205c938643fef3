"""Secrets never reach the output of a real run, even at debug level."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import archive_sql
from telethon.sessions import SQLiteSession, StringSession
from waiting import wait_for

from archiver.simulator import ChannelSpec, generate_world

API_HASH = "0123456789abcdef0123456789abcdef"
ADMIN_TOKEN = "admin-token-4f1c9e"
PHONE = "+15550000000"


def _session_forms(path: Path) -> list[str]:
    """The session's auth key as it could leak: hex, string session, bytes repr."""
    session = SQLiteSession(str(path))
    try:
        key = session.auth_key.key
        return [key.hex(), StringSession.save(session), repr(key)[2:-1]]
    finally:
        session.close()


def test_debug_output_of_login_and_run_holds_no_secret(cli, cli_db, tmp_path: Path) -> None:
    spec = ChannelSpec("secretive", "Secretive", posts=150, media=False)
    world = generate_world(tmp_path / "world.sqlite", seed=4, channels=[spec])
    posts = len(world.messages(world.channel_id("secretive")))
    (tmp_path / "tgmirror.toml").write_text(
        f'[simulator]\nworld = "world.sqlite"\n[storage]\ndata_dir = "data"\n{cli_db.setting}'
        f'[web]\nadmin_token = "{ADMIN_TOKEN}"\n[[channels]]\nref = "@secretive"\n'
    )
    env = {"TGMIRROR_API_HASH": API_HASH}
    assert cli("db", "upgrade").returncode == 0
    login = cli("--log-level", "debug", "login", "--phone", PHONE, input="12345\n", env=env)
    assert login.returncode == 0, login.stderr
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")} | env
    script = Path(sys.executable).parent / "tgmirror"
    log = (tmp_path / "run.log").open("w")  # a file: debug output would fill a pipe
    proc = subprocess.Popen(
        [str(script), "--log-level", "debug", "run", "--no-web"],
        cwd=tmp_path,
        env=run_env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def archived() -> int:
        return archive_sql.value(cli_db.url, "SELECT COUNT(*) FROM messages")

    try:
        wait_for(lambda: archived() == posts)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    out = (tmp_path / "run.log").read_text()
    output = login.stdout + login.stderr + out
    assert proc.returncode == 0, out[-2000:]
    assert archived() == posts  # the run did archive the channel it logged about
    assert "DEBUG" in out and "[redacted]" in out  # the configuration is logged, redacted
    session = _session_forms(tmp_path / "data" / "tgmirror.session")
    secrets = [API_HASH, ADMIN_TOKEN, PHONE, *session]
    assert [s[:12] for s in secrets if s in output] == []
