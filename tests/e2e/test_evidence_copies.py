"""The capture log travels with the archive: `migrate-db` copies it and `backup` keeps it and
the archive key, and both copies verify."""

from __future__ import annotations

import shutil

import archive_sql
import pytest

from archiver.db.engine import open_engine
from archiver.evidence.signing import sign_new_head


async def _sign(config) -> None:
    engine = open_engine(config.database_url)
    try:
        assert await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only  # `backup` copies SQLite files; migrate-db goes to PostgreSQL here
async def test_backup_and_migrate_db_copies_verify(
    cli, archive_copy, tmp_path, pg_server, pg_database_copy
) -> None:
    await _sign(archive_copy["config"])
    conf = tmp_path / "tgmirror.toml"
    conf.write_text(f"[storage]\n{archive_copy['storage_toml']}")
    assert cli("verify").returncode == 0
    backup = cli("backup", str(tmp_path / "bk"), "--media")
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "bk" / "evidence-key.pem").stat().st_mode & 0o777 == 0o600
    restored = tmp_path / "restored"
    shutil.copytree(tmp_path / "bk", restored / "data")
    (restored / "tgmirror.toml").write_text('[storage]\ndata_dir = "data"\n')
    again = cli("verify", cwd=restored)
    assert again.returncode == 0, again.stdout
    subtrees = "SELECT level, idx, hash FROM evidence_subtrees ORDER BY level, idx"
    stored = archive_sql.rows(archive_copy["config"].database_url, subtrees)
    assert len(stored) > 10
    assert archive_sql.rows(f"sqlite+aiosqlite:///{restored}/data/tgmirror.db", subtrees) == stored
    url = pg_server.url(pg_database_copy(None))
    moved = cli("migrate-db", "--to", url)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    conf.write_text(f'[storage]\ndata_dir = "data"\ndatabase = "{url}"\n')
    on_pg = cli("verify")
    assert on_pg.returncode == 0, on_pg.stdout
    assert " 0 problems" in on_pg.stdout
    assert [tuple(r) for r in archive_sql.rows(url, subtrees)] == [tuple(r) for r in stored]
