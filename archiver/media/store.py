"""What every media store offers: files named by the sha256 of their bytes, written once.

A store keeps each file under a key ``ab/cd/<sha256><ext>`` (the ``media_files.path`` column),
so the database never says where a backend keeps its bytes and the same bytes are kept once.
Writers hash what they are given into a temporary file first: nothing appears under a final
key until its hash is known, and a broken download leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

from archiver.errors import MediaStoreError
from archiver.media.sniff import sniff_mime

Chunks: TypeAlias = Iterable[bytes] | AsyncIterable[bytes]
"""Bytes to store, from a file (sync) or a download (async)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Stored bytes: their hash and size, their key in the store and the type they prove."""

    sha256: str
    size: int
    key: str
    sniffed_mime: str | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A file as the store sees it: key, size and modification time (Unix seconds)."""

    key: str
    size: int
    modified: float


def content_key(sha256: str, ext: str) -> str:
    """The key of the bytes with this hash: two levels of folders keep directories small."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{ext}"


class MediaWriter(Protocol):
    """A file being written; Telethon's downloader calls ``write`` and ``flush``."""

    def write(self, chunk: bytes) -> None: ...

    def flush(self) -> None: ...

    def abort(self) -> None: ...

    async def commit(self) -> StoredFile: ...


class MediaStore(Protocol):
    """A content-addressed store of media files (a local directory or an S3 bucket)."""

    def open_writer(self, ext: str = "") -> MediaWriter:
        """A writer whose ``commit`` stores the bytes under their hash (``ext`` appended)."""
        ...

    async def put(self, chunks: Chunks, ext: str = "") -> StoredFile:
        """Store the concatenation of ``chunks``; the same bytes are stored once."""
        ...

    async def stat(self, key: str) -> StoredObject | None:
        """The stored file under ``key``, or None if there is none."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start`` up to (not including) ``end`` of a file, in chunks."""
        ...

    async def copy_to(self, key: str, target: Path) -> int:
        """Copy a file to a local path; bytes copied (0 if absent or already there, same size)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove a file (a corrupt one, before it is downloaded again); absent is fine."""
        ...

    def objects(self) -> AsyncIterator[StoredObject]:
        """Every stored file, in no particular order."""
        ...

    async def aclose(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...


async def write_all(writer: MediaWriter, chunks: Chunks) -> StoredFile:
    """Feed ``chunks`` to ``writer`` and commit it; abort it if anything fails."""
    try:
        if isinstance(chunks, AsyncIterable):
            async for chunk in chunks:
                writer.write(chunk)
        else:
            for chunk in chunks:
                writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return await writer.commit()


async def sha256_of(store: MediaStore, key: str) -> str:
    """The sha256 of a stored file as its bytes are now (to find corrupt files)."""
    digest = hashlib.sha256()
    async for chunk in store.read(key):
        digest.update(chunk)
    return digest.hexdigest()


def cannot_write(where: object, exc: OSError) -> str:
    """The one line for a failed local write: usually a full or read-only disk."""
    return (
        f"{where}: cannot write media ({exc.strerror}): the disk may be full or read-only; "
        "free space and run the command again (files not stored are retried)"
    )


_HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40] or "host"
_PART = re.compile(r"\.part-(?P<host>[A-Za-z0-9_]+)\.(?P<pid>[0-9]+)-")
_SWEPT: set[Path] = set()
_LEGACY_AGE = 3600


def remove_abandoned_parts(folder: Path) -> int:
    """Delete temporaries that a killed process left in ``folder``; returns how many.

    A temporary is named for the host and process writing it, so only those of processes of
    this host that no longer run are removed; another process's download in progress is left
    alone. Unnamed ones (older versions) go once they are an hour old.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(".part-"):
            continue
        match = _PART.match(entry.name)
        if match:
            abandoned = match["host"] == _HOST and not _running(int(match["pid"]))
        else:
            try:
                abandoned = time.time() - entry.stat().st_mtime > _LEGACY_AGE
            except OSError:
                continue
        if abandoned:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HashingFile:
    """A temporary file in ``folder`` that hashes, counts and sniffs what is written to it.

    Both stores write through it: the local store renames the file into place, the S3 store
    uploads it. ``abort`` removes it; so does whoever finishes with it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hash = hashlib.sha256()
        self.size = 0
        self._head = b""
        if folder not in _SWEPT:
            _SWEPT.add(folder)
            remove_abandoned_parts(folder)
        try:
            fd, name = tempfile.mkstemp(prefix=f".part-{_HOST}.{os.getpid()}-", dir=folder)
        except OSError as exc:
            raise MediaStoreError(f"{folder}: cannot write media: {exc.strerror}") from exc
        self.tmp = Path(name)
        self.handle = os.fdopen(fd, "w+b")

    def write(self, chunk: bytes) -> None:
        try:
            self.handle.write(chunk)
        except OSError as exc:
            self.abort()
            raise MediaStoreError(cannot_write(self.folder, exc)) from exc
        self.hash.update(chunk)
        self.size += len(chunk)
        if len(self._head) < 16:
            self._head += chunk[: 16 - len(self._head)]

    def flush(self) -> None:
        """File-like API for Telethon's downloader; durability comes from ``commit``."""

    def abort(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.tmp.unlink(missing_ok=True)

    def stored_file(self, ext: str) -> StoredFile:
        """What the written bytes are, and the key they belong under."""
        sha = self.hash.hexdigest()
        return StoredFile(sha, self.size, content_key(sha, ext), sniff_mime(self._head))


class SpooledWriter:
    """A writer over a ``HashingFile`` in ``folder``: what both stores' writers share. A
    subclass says in ``commit`` where the bytes go; ``commit`` or ``abort`` exactly once."""

    def __init__(self, folder: Path, ext: str) -> None:
        self._ext = ext
        self._file = HashingFile(folder)

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def flush(self) -> None:
        """File-like API for Telethon's downloader; durability comes from ``commit``."""

    def abort(self) -> None:
        self._file.abort()
