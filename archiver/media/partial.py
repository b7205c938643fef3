"""A download in progress that survives kill -9: its parts on disk and a record of which are done.

``<key>.part`` holds the file at its final size, each part written at its own offset;
``<key>.done`` is a log that first names the file (its Telegram id, size and part size) and then
gets one line per part, appended only after that part's bytes are fsynced. Reopened later, the
log says which parts to fetch again: a part not in it (or a torn last line) is fetched again,
so a crash costs at most the parts that were in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from archiver.errors import MediaStoreError
from archiver.media.store import cannot_write

_READ = 1 << 20


def discard(folder: Path, key: str) -> None:
    """Delete what a download under ``key`` left in ``folder`` (nothing there is fine)."""
    for suffix in (".part", ".done"):
        with contextlib.suppress(OSError):
            (folder / f"{key}{suffix}").unlink()


class PartialFile:
    """One file being downloaded in ``part_size`` parts into ``folder``, under ``key``."""

    def __init__(self, folder: Path, key: str, file_id: int, size: int, part_size: int) -> None:
        self.folder, self.key = folder, key
        self.path = folder / f"{key}.part"
        self.log = folder / f"{key}.done"
        self.size = size
        self.part_size = part_size
        self.parts = max(1, -(-size // part_size))
        self._header = json.dumps({"file_id": file_id, "size": size, "part_size": part_size})
        self.done: set[int] = set()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._resume()
        except OSError as exc:
            raise MediaStoreError(cannot_write(folder, exc)) from exc

    def _resume(self) -> None:
        """Keep what an earlier run finished of this same file; otherwise start empty."""
        lines: list[str] = []
        if self.log.exists() and self.path.exists():
            lines = self.log.read_text(encoding="utf-8", errors="replace").split("\n")
        if lines and lines[0] == self._header:
            # Only whole lines count: the last one may have been cut by a crash.
            self.done = {int(n) for n in lines[1:-1] if n.isdigit() and int(n) < self.parts}
            return
        with open(self.path, "wb") as handle:
            handle.truncate(self.size)
        with open(self.log, "w", encoding="utf-8") as handle:
            handle.write(self._header + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def missing(self) -> list[int]:
        """Indexes of the parts still to fetch, in file order."""
        return [n for n in range(self.parts) if n not in self.done]

    def expected_length(self, index: int) -> int:
        """Bytes part ``index`` must have (the last part may be short)."""
        return min(self.part_size, self.size - index * self.part_size)

    async def write_part(self, index: int, data: bytes) -> None:
        """Store part ``index`` durably, then record it as done (in a thread: fsync blocks)."""
        await asyncio.to_thread(self._write_part, index, data)
        self.done.add(index)

    def _write_part(self, index: int, data: bytes) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY)
            try:
                os.pwrite(fd, data, index * self.part_size)
                os.fsync(fd)
            finally:
                os.close(fd)
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(f"{index}\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise MediaStoreError(cannot_write(self.path.parent, exc)) from exc

    def chunks(self) -> Iterator[bytes]:
        """The whole file, in order (once every part is done)."""
        with open(self.path, "rb") as handle:
            while chunk := handle.read(_READ):
                yield chunk

    def remove(self) -> None:
        """Delete the part file and its log (after the file is stored)."""
        discard(self.folder, self.key)
