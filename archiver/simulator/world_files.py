"""`World` methods about files: which DC holds each one, how long file references live, and
the JPEG thumbnails Telegram makes for videos and documents.

Files are spread over DCs 1-5 (`datacenters.default_dc`); `set_file_dc` moves one, e.g. to make
a test download cross DCs. References expire `file_refs.DEFAULT_LIFETIME` seconds after they are
sent unless `set_file_reference_lifetime` says otherwise.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import AbstractContextManager

from . import file_refs, file_store
from .datacenters import DC_IDS
from .meta import write_meta
from .specs import Document, Synthetic

THUMB_KINDS = ("video", "gif", "round")
THUMB_BOX = 320


def document_thumbnail(doc: Document) -> tuple[bytes, int, int] | None:
    """(JPEG bytes, width, height) of the thumbnail Telegram would make for `doc`, or None:
    videos have one, and documents a client can preview (PDF, images); other files do not."""
    previewable = doc.kind == "document" and (
        doc.mime_type == "application/pdf" or doc.mime_type.startswith("image/")
    )
    if not doc.thumb or not (doc.kind in THUMB_KINDS or previewable):
        return None
    width, height = (doc.width, doc.height) if doc.width and doc.height else (16, 9)
    scale = THUMB_BOX / max(width, height)
    box = max(1, round(width * scale)), max(1, round(height * scale))
    content = doc.data
    key = b"synthetic %d" % content.seed if isinstance(content, Synthetic) else content
    seed = int.from_bytes(hashlib.sha256(key).digest()[:4], "big")
    from .media_files import jpeg_gradient

    return jpeg_gradient(box[0], box[1], seed), box[0], box[1]


class WorldFiles:
    """Mixed into `World`: where files live and how long their references stay valid."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def file_dc(self, file_id: int) -> int:
        """The DC that holds a file (GetFile elsewhere answers FILE_MIGRATE_<dc>)."""
        row = self.conn.execute("SELECT dc_id FROM files WHERE id = ?", (file_id,)).fetchone()
        if row is None:
            raise KeyError(f"no file {file_id}")
        return int(row[0])

    def set_file_dc(self, file_id: int, dc_id: int) -> None:
        """Move a file (and its thumbnail) to DC `dc_id` (1-5)."""
        if dc_id not in DC_IDS:
            raise ValueError(f"dc_id must be one of {DC_IDS}, got {dc_id}")
        self.file_dc(file_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE files SET dc_id = ? WHERE id = ? OR id ="
                " (SELECT thumb_id FROM files WHERE id = ?)",
                (dc_id, file_id, file_id),
            )

    def thumb_file_id(self, file_id: int) -> int | None:
        """The file id of a document's JPEG thumbnail, if it has one."""
        row = self.conn.execute("SELECT thumb_id FROM files WHERE id = ?", (file_id,)).fetchone()
        return None if row is None else row[0]

    def file_range(self, file_id: int, offset: int, limit: int) -> bytes:
        """Up to `limit` bytes of a file from `offset`, read in place or generated (synthetic
        files): never the whole of a large file."""
        return file_store.read_range(self.conn, file_id, offset, limit)

    def file_sha256(self, file_id: int) -> str:
        """The hex sha256 of a file's content (stored or synthetic), known since it was added:
        what a complete download must hash to."""
        return file_store.sha256(self.conn, file_id)

    def served_parts(self, file_id: int) -> list[tuple[int, int]]:
        """Every (offset, bytes) GetFile answered for this file, in order, by every process."""
        rows = self.conn.execute(
            "SELECT offset, length FROM served_parts WHERE file_id = ? ORDER BY rowid", (file_id,)
        )
        return [(r[0], r[1]) for r in rows]

    def set_file_reference_lifetime(self, seconds: float | None) -> None:
        """File references of photos and documents expire `seconds` after they are sent
        (FILE_REFERENCE_EXPIRED); None: they never expire."""
        if seconds is not None and seconds <= 0:
            raise ValueError(f"seconds must be positive (or None), got {seconds}")
        with self.transaction() as conn:
            write_meta(conn, file_refs.LIFETIME_KEY, None if seconds is None else str(seconds))

    def file_reference_lifetime(self) -> float | None:
        """Seconds a file reference stays valid (None: forever)."""
        return file_refs.lifetime(self.conn)
