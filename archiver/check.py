"""``tgmirror check``: prove the archive is whole, and repair what can be repaired.

Checks: SQLite's integrity and foreign keys; every media row has its file, with the right size
and (unless quick) the right sha256; ids missing below each channel's checkpoint; the search
index in step with the messages. Repairs: lost or corrupt files are queued for download again,
missing ids are queued for the next sync, the search index is rebuilt. Deleting nothing.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.errors import DatabaseError
from archiver.media import MediaStore, sha256_of
from archiver.store.integrity import (
    database_problems,
    forget_file,
    id_gaps,
    iter_media_files,
    requeue_from,
    search_index_counts,
)
from archiver.store.search_index import rebuild_search_index


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)  # something is wrong: exit 1
    notes: list[str] = field(default_factory=list)  # worth knowing, not an error
    repaired: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_archive(
    engine: AsyncEngine, media: MediaStore, *, quick: bool = False, repair: bool = False
) -> CheckReport:
    """Run every check; with ``repair``, fix what can be fixed and say what was done."""
    report = CheckReport()
    now = int(time.time())
    async with engine.connect() as conn:
        report.problems += await database_problems(conn)
        broken: list[tuple[str, str, str]] = []
        async for row in iter_media_files(conn):
            report.files_checked += 1
            found = await media.stat(row.path)
            if found is None:
                broken.append((row.sha256, row.path, f"media file missing: {row.path}"))
            elif found.size != row.size:
                text = f"media file has the wrong size: {row.path}"
                broken.append((row.sha256, row.path, text))
            elif not quick and await sha256_of(media, row.path) != row.sha256:
                text = f"media file is corrupt (sha256 differs): {row.path}"
                broken.append((row.sha256, row.path, text))
        gaps = await id_gaps(conn)
        indexed, expected = (0, 0) if quick else await search_index_counts(conn)
    report.problems += [text for _, _, text in broken]
    for cid, title, missing, lowest in gaps:
        report.notes.append(
            f"{title} ({cid}): {missing} ids below the checkpoint are not in the archive, the "
            f"lowest {lowest} (deleted on Telegram before they were archived, or lost)"
        )
    if indexed != expected:
        report.problems.append(f"search index has {indexed} entries for {expected} messages")
    if not repair:
        return report
    async with engine.begin() as conn:
        for sha, key, text in broken:
            # The store trusts a file at its content address; a wrong one must go first.
            await media.delete(key)
            queued = await forget_file(conn, sha, now)
            report.repaired.append(f"{text}: queued {queued} file(s) for download again")
        for cid, title, _missing, lowest in gaps:
            await requeue_from(conn, cid, lowest)
            report.repaired.append(f"{title}: the next sync fetches again from id {lowest}")
        if indexed != expected:
            count = await rebuild_search_index(conn)
            report.repaired.append(f"search index rebuilt ({count} messages)")
    return report


def backup_database(db_path: Path, out: Path) -> Path:
    """A consistent copy of a live SQLite database (online backup API) at ``out``."""
    if not db_path.is_file():
        raise DatabaseError(f"{db_path}: no database to back up")
    target = out if out.suffix == ".db" else out / "tgmirror.db"
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    dest = sqlite3.connect(partial)
    try:
        source.backup(dest, pages=4096)
    finally:
        dest.close()
        source.close()
    partial.chmod(0o600)
    partial.replace(target)
    return target


async def backup_media(media: MediaStore, out: Path) -> int:
    """Copy every stored file to ``out/media/<key>`` (the layout of a local store, whatever the
    backend); files already there with the same size are kept. Returns how many were copied."""
    copied = 0
    async for found in media.objects():
        target = out / "media" / found.key
        if not _has_size(target, found.size):
            await media.copy_to(found.key, target)
            copied += 1
    return copied


def _has_size(path: Path, size: int) -> bool:
    return path.is_file() and path.stat().st_size == size
