"""login, add, remove, sync and status as a user runs them, against a simulated Telegram."""

from __future__ import annotations

import json
from pathlib import Path

from archiver.simulator import World

CONFIG = '[simulator]\nworld = "world.sqlite"\n[storage]\ndata_dir = "data"\n{database}'


def _world(tmp_path: Path) -> World:
    world = World.create(tmp_path / "world.sqlite")
    for name, n in (("alpha_news", 30), ("beta_news", 12)):
        ch = world.add_channel(name, name.replace("_", " ").title())
        for i in range(n):
            world.post(ch, text=f"{name} {i}", push=False)
    return world


def _ready(cli, cli_database, tmp_path: Path) -> World:
    world = _world(tmp_path)
    database = cli_database(tmp_path).setting
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=database))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    return world


def test_login_without_api_credentials_says_where_to_get_them(cli, tmp_path: Path) -> None:
    result = cli("login", "--phone", "+15550000000")
    assert result.returncode == 1
    assert "https://my.telegram.org" in result.stderr
    assert "TGMIRROR_API_ID" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_before_login_say_to_log_in(cli, cli_database, tmp_path: Path) -> None:
    _world(tmp_path)
    database = cli_database(tmp_path).setting
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=database))
    cli("db", "upgrade")
    result = cli("sync")
    assert result.returncode == 1
    assert "run `tgmirror login`" in result.stderr


def test_add_reports_each_bad_ref_and_adds_the_others(cli, cli_database, tmp_path: Path) -> None:
    _ready(cli, cli_database, tmp_path)
    result = cli("add", "@alpha_news", "https://t.me/nobody_here", "not a ref!", "t.me/s/beta_news")
    assert result.returncode == 1
    assert "Added Alpha News (@alpha_news" in result.stdout
    assert "Added Beta News (@beta_news" in result.stdout
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "nobody_here" in errors[0] and "no channel has this username" in errors[0]
    assert "'not a ref!': not a channel reference" in errors[1]
    again = cli("add", "@alpha_news")
    assert "Already following Alpha News" in again.stdout


def test_sync_then_status_then_remove(cli, cli_database, tmp_path: Path) -> None:
    _ready(cli, cli_database, tmp_path)
    cli("add", "@alpha_news", "@beta_news")
    sync = cli("sync")
    assert sync.returncode == 0, sync.stderr
    assert "Alpha News: done: 30 new messages" in sync.stdout
    assert "Beta News: done: 12 new messages" in sync.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert {s["username"]: s["messages"] for s in status} == {"alpha_news": 30, "beta_news": 12}
    assert all(s["backfill_complete"] for s in status)
    kept = cli("remove", "@beta_news")
    assert "No longer following Beta News; its archive is kept." in kept.stdout
    assert "Beta News" not in cli("sync").stdout
    purged = cli("remove", "@beta_news", "--purge")
    assert "deleted its 12 archived messages" in purged.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert [s["username"] for s in status] == ["alpha_news"]
