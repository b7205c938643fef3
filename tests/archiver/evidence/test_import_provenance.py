"""Captures made from a Desktop export say so: source "import" and the export file's sha256,
and the imported archive verifies."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from pathlib import Path

import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import evidence_log
from archiver.evidence.verify import verify_archive
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore
from tests.archiver.importers.test_tdesktop_import import write_export


async def test_imported_captures_name_the_export_file(config, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*"):
            z.write(path, str(path.relative_to(folder)))
    expected = hashlib.sha256(archive.read_bytes()).hexdigest()
    engine = open_engine(config.database_url)
    media = LocalMediaStore(config.media_dir)
    try:
        await import_export(engine, archive, media, int(time.time()))
        async with engine.connect() as conn:
            leaves = [
                json.loads(r)
                for r in (await conn.execute(sa.select(evidence_log.c.leaf))).scalars()
            ]
        report = await verify_archive(engine, media, None)
    finally:
        await engine.dispose()
    posts = [c for c in leaves if c["type"] == "post"]
    assert len(posts) >= 8
    assert {(c["source"], c["export_sha256"]) for c in posts} == {("import", expected)}
    assert {c["type"] for c in leaves} >= {"post", "media", "event"}
    assert report.ok, report.problems
    assert report.files == 2
