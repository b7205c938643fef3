"""``tgmirror run`` with two Telegram accounts in one process: each logged in with
``tgmirror --session NAME login``, channels spread over both; one account banned from one of
its channels and then deactivated by Telegram: every channel goes on with the other account,
none is taken for erased, and ``tgmirror status`` says which account archives each one.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import archive_sql
from waiting import wait_for

from archiver.simulator import ChannelSpec, World, generate_world

_wait = functools.partial(wait_for, seconds=60, every=0.2)
NAMES = [f"feed_{n}" for n in range(4)]
CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
poll_interval = 1
reconcile_interval = 60
erasure_check_interval = 60
[live]
poll_budget = 600
min_poll_interval = 1
max_poll_interval = 1
[[telegram.accounts]]
session = "a.session"
[[telegram.accounts]]
session = "b.session"
""" + "".join(f'[[channels]]\nref = "@{name}"\n' for name in NAMES)


def _stored(url: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for cid, msg_id in archive_sql.rows(url, "SELECT channel_id, msg_id FROM messages ORDER BY 2"):
        out.setdefault(cid, []).append(msg_id)
    return out


def _archiving(url: str) -> dict[int, str]:
    sql = "SELECT channel_id, account FROM channel_accounts WHERE state = 'archiving'"
    return dict(archive_sql.rows(url, sql))


def _expected(world: World) -> dict[int, list[int]]:
    return {
        world.channel_id(n): [
            m["msg_id"] for m in world.messages(world.channel_id(n), include_deleted=False)
        ]
        for n in NAMES
    }


def test_two_accounts_one_banned_then_deactivated_archive_every_channel(
    cli, cli_db, tmp_path
) -> None:
    specs = [ChannelSpec(name, name.title(), lang="en", posts=40, media=False) for name in NAMES]
    world = generate_world(tmp_path / "world.sqlite", seed=4, channels=specs)
    user_a = world.conn.execute("SELECT MIN(id) FROM users").fetchone()[0]
    world.add_account("Second", "15550000102")
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    several = cli("login", "--phone", "+15550000000", input="12345\n")
    assert several.returncode == 1 and len(several.stderr.strip().splitlines()) == 1
    assert "log in each one with `tgmirror --session NAME login`" in several.stderr
    for name, phone in (("a", "+15550000000"), ("b", "+15550000102")):
        login = cli("--session", name, "login", "--phone", phone, input="12345\n")
        assert login.returncode == 0, login.stderr
    assert "Second" in login.stdout
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: _stored(cli_db.url) == _expected(world) and len(_archiving(cli_db.url)) == 4)
        spread = _archiving(cli_db.url)
        assert sorted(spread.values()) == ["a", "a", "b", "b"]
        banned_from = min(cid for cid, account in spread.items() if account == "a")
        world.ban_account(banned_from, user_a)
        world.post(banned_from, text="after a was banned from it")
        started = time.monotonic()
        _wait(lambda: _stored(cli_db.url) == _expected(world))
        after_ban = time.monotonic() - started
        world.deactivate_account(user_a)
        for name in NAMES:
            world.post(world.channel_id(name), text="after a was deactivated")
        started = time.monotonic()
        _wait(
            lambda: (
                _stored(cli_db.url) == _expected(world)
                and set(_archiving(cli_db.url).values()) == {"b"}
            )
        )
        after_deactivation = time.monotonic() - started
        status = cli("status")
        as_json = json.loads(cli("status", "--json").stdout)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    out = (tmp_path / "run.log").read_text()
    assert "Stopped cleanly." in out and "Traceback" not in out
    assert "account a lost access to channel" in out
    assert "account a can no longer be used (UserDeactivatedBanError)" in out
    assert status.returncode == 0 and "account" in status.stdout
    assert "b (no access: a)" in status.stdout
    by_id = {row["id"]: row for row in as_json}
    assert {row["account"] for row in as_json} == {"b"}
    assert by_id[banned_from]["accounts_lost"] == ["a"]
    assert {row["status"] for row in as_json} == {"active"}
    erasure = "SELECT count(*) FROM events WHERE kind IN ('suspect', 'erased')"
    assert archive_sql.rows(cli_db.url, erasure) == [(0,)]
    print(
        f"\npost after the ban archived by b in {after_ban:.1f} s; posts after the "
        f"deactivation in {after_deactivation:.1f} s (poll_interval 1 s)"
    )
