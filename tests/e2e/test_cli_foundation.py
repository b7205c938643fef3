"""The foundation commands as a user runs them: db upgrade, status, --help, --version, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.sqlite_only  # the default database is a SQLite file in the data directory
def test_db_upgrade_in_empty_directory_creates_default_database(cli, tmp_path: Path) -> None:
    first = cli("db", "upgrade")
    db = tmp_path / "tgmirror-data" / "tgmirror.db"
    assert first.returncode == 0, first.stderr
    assert f"Created database {db}" in first.stdout
    before = db.read_bytes()
    second = cli("db", "upgrade")
    assert second.returncode == 0
    assert "nothing changed" in second.stdout
    assert db.read_bytes() == before


@pytest.mark.sqlite_only  # where the SQLite file goes when the config file names a data_dir
def test_db_upgrade_follows_the_config_file(cli, tmp_path: Path) -> None:
    conf = tmp_path / "etc" / "mirror.toml"
    conf.parent.mkdir()
    conf.write_text('[storage]\ndata_dir = "../var/archive"\n')
    result = cli("--config", str(conf), "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "archive" / "tgmirror.db").is_file()
    assert not (tmp_path / "tgmirror-data").exists()
    env_run = cli("db", "upgrade", env={"TGMIRROR_CONFIG": str(conf)})
    assert "nothing changed" in env_run.stdout


def test_bad_config_gives_one_line_without_traceback(cli, tmp_path: Path) -> None:
    (tmp_path / "tgmirror.toml").write_text("[web]\nport = 'eighty'\n")
    result = cli("status")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "web.port: expected an integer, got 'eighty'" in lines[0]
    assert "Traceback" not in result.stderr


def _on(cli_database, tmp_path: Path) -> None:
    """A config in tmp_path on a fresh empty database of the backend under test."""
    setting = cli_database(tmp_path).setting
    (tmp_path / "tgmirror.toml").write_text(f'[storage]\ndata_dir = "data"\n{setting}')


def test_status_before_upgrade_says_what_to_run(cli, cli_database, tmp_path: Path) -> None:
    _on(cli_database, tmp_path)
    result = cli("status")
    assert result.returncode == 1
    assert "run `tgmirror db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_json_on_empty_archive(cli, cli_database, tmp_path: Path) -> None:
    _on(cli_database, tmp_path)
    assert cli("db", "upgrade").returncode == 0
    result = cli("status", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_help_lists_commands_with_one_line_help(cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("db", "status"):
        assert command in result.stdout
    version = cli("--version")
    assert version.stdout.startswith("tgmirror ")
