"""``tgmirror db upgrade`` and ``status`` on a PostgreSQL server, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest


def _config(tmp_path: Path, url: str) -> None:
    (tmp_path / "tgmirror.toml").write_text(f'[storage]\ndatabase = "{url}"\n')


@pytest.fixture
def pg_url(pg_server):
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


def test_db_upgrade_creates_and_then_leaves_a_postgresql_database(cli, tmp_path, pg_url) -> None:
    _config(tmp_path, pg_url)
    before = cli("status")
    assert before.returncode == 1
    assert "run `tgmirror db upgrade` first" in before.stderr
    first = cli("db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert f"Created database {pg_url} (schema" in first.stdout
    second = cli("db", "upgrade")
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    status = cli("status")
    assert status.returncode == 0, status.stderr
    assert not (tmp_path / "tgmirror-data" / "tgmirror.db").exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://u@127.0.0.1/x", "use postgresql+asyncpg://… instead of postgresql://"),
        ("mysql+aiomysql://u@h/x", "mysql+aiomysql:// is not supported"),
        ("not a url", "is not a database URL"),
    ],
)
def test_an_unusable_database_url_is_one_line(cli, tmp_path, url, says) -> None:
    _config(tmp_path, url)
    result = cli("db", "upgrade")
    assert result.returncode == 1
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_server_is_one_line_without_the_password(cli, tmp_path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _config(tmp_path, f"postgresql+asyncpg://me:s3cret@127.0.0.1:{port}/archive")
    result = cli("db", "upgrade")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot open the database" in result.stderr and str(port) in result.stderr


def test_a_missing_postgresql_database_is_one_line(cli, tmp_path, pg_server) -> None:
    _config(tmp_path, pg_server.url("no_such_archive"))
    result = cli("db", "upgrade")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert 'database "no_such_archive" does not exist' in result.stderr


def test_backup_of_a_postgresql_archive_says_to_use_its_tools(cli, tmp_path, pg_url) -> None:
    _config(tmp_path, pg_url)
    assert cli("db", "upgrade").returncode == 0
    result = cli("backup", str(tmp_path / "copy"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: backup copies SQLite archives; use your database's own tools"
    ]
    assert not (tmp_path / "copy").exists()
