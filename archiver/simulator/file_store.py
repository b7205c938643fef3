"""Where a simulated file's bytes come from: stored in the world file, or generated on demand.

Every row of `files` names its content by sha256 (`files.sha`). Stored content is a row of
`blobs` (the bytes themselves, kept once per content). Synthetic content (`specs.Synthetic`) is
a row of `synthetic_blobs`: seed, size and generator, a few dozen bytes however large the file,
its sha256 computed once when it is added. Readers go through this module and never need to
know which kind a file is.
"""

from __future__ import annotations

import hashlib
import sqlite3

from . import synthetic
from .specs import Synthetic

SCHEMA = """
CREATE TABLE IF NOT EXISTS synthetic_blobs (
    sha TEXT PRIMARY KEY, seed INTEGER NOT NULL, size INTEGER NOT NULL,
    generator TEXT NOT NULL, UNIQUE (seed, size, generator)
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the synthetic content table (also in a world file made before it existed)."""
    conn.executescript(SCHEMA)


def keep(conn: sqlite3.Connection, content: bytes | Synthetic) -> tuple[str, int]:
    """Record `content` once (call inside a write transaction); returns its (sha256, size)."""
    if isinstance(content, Synthetic):
        return keep_synthetic(conn, content), content.size
    sha = hashlib.sha256(content).hexdigest()
    conn.execute("INSERT OR IGNORE INTO blobs (sha, data) VALUES (?, ?)", (sha, content))
    return sha, len(content)


def keep_synthetic(conn: sqlite3.Connection, content: Synthetic) -> str:
    """Record a synthetic file's recipe; its sha256 is computed the first time only."""
    row = conn.execute(
        "SELECT sha FROM synthetic_blobs WHERE seed = ? AND size = ? AND generator = ?",
        (content.seed, content.size, synthetic.GENERATOR),
    ).fetchone()
    if row is not None:
        return str(row[0])
    sha = synthetic.sha256(content.seed, content.size)
    conn.execute(
        "INSERT OR IGNORE INTO synthetic_blobs (sha, seed, size, generator) VALUES (?, ?, ?, ?)",
        (sha, content.seed, content.size, synthetic.GENERATOR),
    )
    return sha


def _source(conn: sqlite3.Connection, file_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT f.size, b.rowid AS blob, s.seed, s.generator FROM files f"
        " LEFT JOIN blobs b ON b.sha = f.sha LEFT JOIN synthetic_blobs s ON s.sha = f.sha"
        " WHERE f.id = ?",
        (file_id,),
    ).fetchone()
    if row is None:
        raise KeyError(f"no file {file_id}")
    if row["blob"] is None and row["generator"] != synthetic.GENERATOR:
        raise ValueError(
            f"file {file_id} has no stored bytes and no known generator"
            f" ({row['generator']!r}); recreate the world with this version of the simulator"
        )
    return row


def read_range(conn: sqlite3.Connection, file_id: int, offset: int, limit: int) -> bytes:
    """Up to `limit` bytes of a file from `offset` (read in place: files can be large)."""
    row = _source(conn, file_id)
    size = int(row["size"])
    start = max(0, min(offset, size))
    length = max(0, min(limit, size - start))
    if row["blob"] is None:
        return synthetic.read(int(row["seed"]), size, start, length)
    with conn.blobopen("blobs", "data", row["blob"], readonly=True) as blob:
        blob.seek(start)
        return blob.read(length)


def read_all(conn: sqlite3.Connection, file_id: int) -> bytes:
    """The whole content of a file."""
    row = _source(conn, file_id)
    return read_range(conn, file_id, 0, int(row["size"]))


def sha256(conn: sqlite3.Connection, file_id: int) -> str:
    """The hex sha256 of a file's content, as the world recorded it when the file was added."""
    row = conn.execute("SELECT sha FROM files WHERE id = ?", (file_id,)).fetchone()
    if row is None:
        raise KeyError(f"no file {file_id}")
    return str(row[0])
