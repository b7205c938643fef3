"""``tgmirror check`` finds a lost file, a corrupt file and a removed row; --repair and a sync
bring them back. ``tgmirror backup`` copies a consistent database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def _copy_archive(simulated_archive, tmp_path: Path) -> Path:
    shutil.copytree(simulated_archive["root"] / "data", tmp_path / "data")
    world = simulated_archive["root"] / "world.sqlite"
    conf = tmp_path / "tgmirror.toml"
    conf.write_text(f'[simulator]\nworld = "{world}"\n[storage]\ndata_dir = "data"\n')
    return conf


def test_check_reports_damage_and_repair_plus_sync_restores(
    cli, simulated_archive, tmp_path
) -> None:
    _copy_archive(simulated_archive, tmp_path)
    healthy = cli("check")
    assert healthy.returncode == 0, healthy.stdout
    assert "0 problems" in healthy.stdout
    db = sqlite3.connect(tmp_path / "data" / "tgmirror.db")
    files = db.execute("SELECT sha256, path FROM media_files ORDER BY size DESC LIMIT 2").fetchall()
    (tmp_path / "data" / "media" / files[0][1]).unlink()
    corrupt = tmp_path / "data" / "media" / files[1][1]
    corrupt.write_bytes(b"X" + corrupt.read_bytes()[1:])
    ru = simulated_archive["ru"]
    db.execute("DELETE FROM messages WHERE channel_id = ? AND msg_id = 7", (ru,))
    db.commit()
    db.close()
    damaged = cli("check")
    assert damaged.returncode == 1
    assert f"media file missing: {files[0][1]}" in damaged.stdout
    assert f"media file is corrupt (sha256 differs): {files[1][1]}" in damaged.stdout
    assert "ids below the checkpoint are not in the archive, the lowest 7" in damaged.stdout
    assert "search index has" in damaged.stdout
    repaired = cli("check", "--repair")
    assert repaired.returncode == 0
    assert repaired.stdout.count("repaired:") == 4
    assert cli("sync").returncode == 0
    again = cli("check")
    assert again.returncode == 0 and "0 problems" in again.stdout
    db = sqlite3.connect(tmp_path / "data" / "tgmirror.db")
    assert db.execute("SELECT count(*) FROM messages WHERE channel_id = ? AND msg_id = 7",
                      (ru,)).fetchone() == (1,)  # fmt: skip


def test_backup_is_a_consistent_private_copy(cli, simulated_archive, tmp_path) -> None:
    _copy_archive(simulated_archive, tmp_path)
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
