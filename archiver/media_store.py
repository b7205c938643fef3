"""The content-addressed media store: files named by the sha256 of their bytes.

A file is written to a temporary name in the store, hashed while it is written, fsynced and then
renamed to ``ab/cd/<sha256><ext>``: a crash never leaves a half file under a final name, and the
same bytes in two posts are stored once. Paths handed out are relative to the store root; the
web app resolves them with ``resolve`` and nothing else.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from archiver.errors import MediaStoreError

_EXTRA_TYPES = {
    "application/x-tgsticker": ".tgs",
    "image/webp": ".webp",
    "video/webm": ".webm",
    "audio/ogg": ".ogg",
    "video/mp4": ".mp4",
    "image/jpeg": ".jpg",
    "audio/mpeg": ".mp3",
}


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where stored bytes live (``path`` relative to the store root) and what they are."""

    sha256: str
    size: int
    path: str
    sniffed_mime: str | None = None


_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"ID3", "audio/mpeg"),
    (b"\x1f\x8b", "application/gzip"),
)


def sniff_mime(head: bytes) -> str | None:
    """The MIME type that a file's first bytes prove, or None."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def choose_mime(declared: str | None, sniffed: str | None) -> str:
    """Telegram's declared type, unless the bytes prove another type of the same family."""
    if sniffed and (not declared or declared == "application/octet-stream"):
        return sniffed
    if sniffed and declared and sniffed.split("/")[0] == declared.split("/")[0] == "image":
        return sniffed
    return declared or "application/octet-stream"


def extension_for(mime: str | None, file_name: str | None = None) -> str:
    """A short, safe file extension from a MIME type or a file name ('' if unknown)."""
    if mime in _EXTRA_TYPES:
        return _EXTRA_TYPES[mime]
    if file_name:
        suffix = Path(file_name).suffix.lower()
        if 1 < len(suffix) <= 8 and suffix[1:].isalnum():
            return suffix
    guessed = mimetypes.guess_extension(mime or "") or ""
    return guessed if guessed[1:].isalnum() else ""


class MediaStore:
    """A directory of content-addressed files."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: cannot create media directory: {exc}") from exc

    def relative_path(self, sha256: str, ext: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{ext}"

    def resolve(self, relative: str) -> Path | None:
        """The absolute path of a stored file, or None if ``relative`` escapes the store."""
        root = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(root, relative))
        if os.path.commonpath([root, full]) != root or full == root:
            return None
        return Path(full)

    def put_bytes(self, data: bytes, ext: str = "") -> StoredFile:
        """Store ``data``; returns where it lives (existing content is not rewritten)."""
        return self.put_chunks([data], ext)

    def put_chunks(self, chunks: Iterable[bytes], ext: str = "") -> StoredFile:
        """Store the concatenation of ``chunks`` (streamed: memory stays flat)."""
        writer = self.open_writer(ext)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.commit()

    def put_file(self, source: Path, ext: str = "") -> StoredFile:
        """Copy a file into the store, streaming it."""
        with open(source, "rb") as handle:
            return self.put_chunks(iter(lambda: handle.read(1 << 20), b""), ext)

    def open_writer(self, ext: str = "") -> MediaWriter:
        """A writer that hashes what it is given and commits it under its hash."""
        self._ensure_root()
        return MediaWriter(self, ext)

    async def put_async_chunks(self, chunks: AsyncIterator[bytes], ext: str = "") -> StoredFile:
        """Store chunks from an async source (a download)."""
        writer = self.open_writer(ext)
        try:
            async for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.commit()


def _cannot_write(where: Path, exc: OSError) -> str:
    return (
        f"{where}: cannot write media ({exc.strerror}): the disk may be full or read-only; "
        "free space and run the command again (files not stored are retried)"
    )


class MediaWriter:
    """A file being written into the store; ``commit`` or ``abort`` it exactly once."""

    def __init__(self, store: MediaStore, ext: str) -> None:
        self._store = store
        self._ext = ext
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = b""
        try:
            fd, name = tempfile.mkstemp(prefix=".part-", dir=store.root)
        except OSError as exc:
            raise MediaStoreError(f"{store.root}: cannot write media: {exc.strerror}") from exc
        self._tmp = Path(name)
        self._handle = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        try:
            self._handle.write(chunk)
        except OSError as exc:
            self.abort()
            raise MediaStoreError(_cannot_write(self._store.root, exc)) from exc
        self._hash.update(chunk)
        self._size += len(chunk)
        if len(self._head) < 16:
            self._head += chunk[: 16 - len(self._head)]

    def flush(self) -> None:
        """File-like API for Telethon's downloader; durability comes from ``commit``."""

    def abort(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def commit(self) -> StoredFile:
        sha = self._hash.hexdigest()
        relative = self._store.relative_path(sha, self._ext)
        final = self._store.root / relative
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            if final.exists() and final.stat().st_size == self._size:
                self._tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.replace(self._tmp, final)
        except OSError as exc:
            self.abort()
            raise MediaStoreError(_cannot_write(final, exc)) from exc
        return StoredFile(sha, self._size, relative, sniff_mime(self._head))
