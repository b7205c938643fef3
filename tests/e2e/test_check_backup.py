"""``tgmirror check`` finds a lost file, a corrupt file and a removed row; --repair and a sync
bring them back. ``tgmirror backup`` copies a consistent database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import archive_sql
import pytest


def _config(archive: dict, tmp_path: Path) -> Path:
    world = archive["root"] / "world.sqlite"
    conf = tmp_path / "tgmirror.toml"
    conf.write_text(f'[simulator]\nworld = "{world}"\n[storage]\n{archive["storage_toml"]}')
    return conf


def test_check_reports_damage_and_repair_plus_sync_restores(
    cli, archive_copy, db_backend, tmp_path
) -> None:
    _config(archive_copy, tmp_path)
    url = archive_copy["config"].database_url
    healthy = cli("check")
    assert healthy.returncode == 0, healthy.stdout
    assert "0 problems" in healthy.stdout
    files = archive_sql.rows(url, "SELECT sha256, path FROM media_files ORDER BY size DESC, path")
    (tmp_path / "data" / "media" / files[0][1]).unlink()
    corrupt = tmp_path / "data" / "media" / files[1][1]
    corrupt.write_bytes(b"X" + corrupt.read_bytes()[1:])
    ru = archive_copy["ru"]
    archive_sql.rows(url, "DELETE FROM messages WHERE channel_id = :ru AND msg_id = 7", ru=ru)
    # SQLite's FTS5 index keeps the row (no foreign key); PostgreSQL's goes with the message.
    stale_index = db_backend == "sqlite"
    damaged = cli("check")
    assert damaged.returncode == 1
    assert f"media file missing: {files[0][1]}" in damaged.stdout
    assert f"media file is corrupt (sha256 differs): {files[1][1]}" in damaged.stdout
    assert "ids below the checkpoint are not in the archive, the lowest 7" in damaged.stdout
    assert ("search index has" in damaged.stdout) == stale_index
    repaired = cli("check", "--repair")
    assert repaired.returncode == 0
    assert repaired.stdout.count("repaired:") == 3 + stale_index
    assert cli("sync").returncode == 0
    again = cli("check")
    assert again.returncode == 0 and "0 problems" in again.stdout
    query = "SELECT count(*) FROM messages WHERE channel_id = :ru AND msg_id = 7"
    assert archive_sql.value(url, query, ru=ru) == 1


@pytest.mark.sqlite_only  # `tgmirror backup` copies the SQLite file (PostgreSQL: pg_dump)
def test_backup_is_a_consistent_private_copy(cli, archive_copy, tmp_path) -> None:
    _config(archive_copy, tmp_path)
    result = cli("backup", str(tmp_path / "bk"), "--media")
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "bk" / "tgmirror.db"
    assert copy.stat().st_mode & 0o777 == 0o600
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    original = sqlite3.connect(tmp_path / "data" / "tgmirror.db")
    count = "SELECT count(*) FROM messages"
    assert db.execute(count).fetchone() == original.execute(count).fetchone()
    assert any((tmp_path / "bk" / "media").rglob("*.png"))
