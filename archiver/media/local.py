"""The media store in a local directory: ``<root>/ab/cd/<sha256><ext>``.

A file is written to a temporary name in the store, hashed while it is written, fsynced and then
renamed to its key: a crash never leaves a half file under a final name, and the same bytes in
two posts are stored once. Keys come from the database; ``resolve`` keeps them inside the root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path

from archiver.errors import MediaStoreError
from archiver.media.store import (
    Chunks,
    SpooledWriter,
    StoredFile,
    StoredObject,
    cannot_write,
    content_key,
    write_all,
)

_CHUNK = 1 << 20


class LocalMediaStore:
    """A directory of content-addressed files (the default store)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: cannot create media directory: {exc}") from exc

    def resolve(self, key: str) -> Path | None:
        """The absolute path of a stored file, or None if ``key`` escapes the store."""
        root = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(root, key))
        if os.path.commonpath([root, full]) != root or full == root:
            return None
        return Path(full)

    def open_writer(self, ext: str = "") -> LocalWriter:
        """A writer that hashes what it is given and commits it under its hash."""
        self._ensure_root()
        return LocalWriter(self, ext)

    def put_bytes(self, data: bytes, ext: str = "") -> StoredFile:
        """Store ``data`` now (existing content is not rewritten)."""
        return self.put_chunks([data], ext)

    def put_chunks(self, chunks: Iterable[bytes], ext: str = "") -> StoredFile:
        """Store the concatenation of ``chunks`` now (streamed: memory stays flat)."""
        writer = self.open_writer(ext)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.finish()

    def put_file(self, source: Path, ext: str = "") -> StoredFile:
        """Copy a file into the store, streaming it."""
        with open(source, "rb") as handle:
            return self.put_chunks(iter(lambda: handle.read(_CHUNK), b""), ext)

    async def put(self, chunks: Chunks, ext: str = "") -> StoredFile:
        return await write_all(self.open_writer(ext), chunks)

    async def stat(self, key: str) -> StoredObject | None:
        path = self.resolve(key)
        if path is None or not path.is_file():
            return None
        st = path.stat()
        return StoredObject(key, st.st_size, st.st_mtime)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self.resolve(key)
        if path is None or not path.is_file():
            raise MediaStoreError(f"{self.root}: no media file {key}")
        for chunk in _file_chunks(path, start, end):
            yield chunk

    async def copy_to(self, key: str, target: Path) -> int:
        source = self.resolve(key)
        return 0 if source is None else _copy_file(source, target)

    async def delete(self, key: str) -> None:
        path = self.resolve(key)
        if path is not None:
            path.unlink(missing_ok=True)

    async def objects(self) -> AsyncIterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".part-"):
                st = path.stat()
                yield StoredObject(path.relative_to(self.root).as_posix(), st.st_size, st.st_mtime)

    async def aclose(self) -> None:
        """Nothing to release: files are opened per call."""


def _file_chunks(path: Path, start: int, end: int | None) -> Iterator[bytes]:
    """Bytes ``start`` up to ``end`` of a local file (plain reads: a local disk is fast)."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            chunk = handle.read(_CHUNK if left is None else min(_CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk


def _copy_file(source: Path, target: Path) -> int:
    """Copy unless ``target`` already has the same size (as ``--update`` exports expect)."""
    if not source.is_file():
        return 0
    size = source.stat().st_size
    if target.exists() and target.stat().st_size == size:
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return size


class LocalWriter(SpooledWriter):
    """A file being written into the store; ``commit`` or ``abort`` it exactly once."""

    def __init__(self, store: LocalMediaStore, ext: str) -> None:
        super().__init__(store.root, ext)
        self._store = store

    async def commit(self) -> StoredFile:
        return self.finish()

    def finish(self) -> StoredFile:
        """``commit`` for synchronous callers: fsync, then rename into place (or drop a copy)."""
        stored = self._file.stored_file(self._ext)
        final = self._store.root / content_key(stored.sha256, self._ext)
        handle, tmp = self._file.handle, self._file.tmp
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            if final.exists() and final.stat().st_size == stored.size:
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.replace(tmp, final)
        except OSError as exc:
            self.abort()
            raise MediaStoreError(cannot_write(final, exc)) from exc
        return stored
