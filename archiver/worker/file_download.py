"""Download one file in 1 MiB parts, several in flight, into a `PartialFile` that survives crashes.

Each part is asked of the DC that holds the file; FILE_MIGRATE moves the download to the DC
Telegram names. An expired file reference (photos and documents alike) is renewed by fetching
the message again, once for all parts in flight. A timeout or dropped connection is retried a
few times; any other error ends the download with the parts done so far kept on disk.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from telethon import errors

from archiver.media.partial import PartialFile
from archiver.telegram.dc_connections import DcConnections
from archiver.telegram.file_location import FileSource

log = logging.getLogger(__name__)

PART_SIZE = 1 << 20
"""1 MiB: the largest part upload.getFile serves (core.telegram.org/api/files)."""
_TRANSIENT_TRIES = 4
DC_IDS = range(1, 6)
"""Telegram's production DCs: a file cannot move more often than there are DCs."""
_REFRESHES = 3

Refresh = Callable[[], Awaitable[FileSource | None]]
"""Fetches the message again and returns the file's new source (None: the file is gone)."""


class FileGone(Exception):
    """The message or its file is no longer on Telegram."""


class FileDownload:
    """Fetch the missing parts of one file (``source``) into ``partial``."""

    def __init__(
        self, dcs: DcConnections, source: FileSource, partial: PartialFile, refresh: Refresh
    ) -> None:
        self._dcs = dcs
        self.source = source
        self._partial = partial
        self._refresh = refresh
        self._refreshes = 0
        self._lock = asyncio.Lock()

    async def run(self, parallel: int) -> int:
        """Fetch every missing part, ``parallel`` at a time; returns how many were fetched."""
        queue = deque(self._partial.missing())
        fetched = len(queue)
        if self._partial.done and queue:
            log.info(
                "resuming file %s at %d of %d parts",
                self.source.file_id,
                len(self._partial.done),
                self._partial.parts,
            )

        async def worker() -> None:
            while queue:
                index = queue.popleft()
                await self._partial.write_part(index, await self._fetch(index))
                self._refreshes = 0  # progress: a reference that expires again is fine

        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(parallel, len(queue)))):
                group.create_task(worker())
        return fetched

    async def _fetch(self, index: int) -> bytes:
        """Part ``index``, of exactly the length the file's size implies."""
        transient = migrations = 0
        while True:
            source = self.source
            try:
                data = await self._dcs.get_part(
                    source.location, source.dc_id, index * PART_SIZE, PART_SIZE
                )
            except errors.FileMigrateError as exc:
                migrations += 1
                if migrations > len(DC_IDS):
                    raise
                self.source = _moved(source, exc.new_dc)
                continue
            except (errors.FileReferenceExpiredError, errors.FileReferenceInvalidError):
                await self._renew(source)
                continue
            except (errors.TimedOutError, ConnectionError):
                transient += 1
                if transient >= _TRANSIENT_TRIES:
                    raise
                await asyncio.sleep(transient)
                continue
            expected = self._partial.expected_length(index)
            if len(data) != expected:
                raise ValueError(
                    f"part {index} of file {source.file_id}: Telegram sent {len(data)} bytes, "
                    f"expected {expected}"
                )
            return data

    async def _renew(self, stale: FileSource) -> None:
        """A fresh file reference, fetched once however many parts found the old one stale."""
        async with self._lock:
            if self.source is not stale:
                return  # another part renewed it meanwhile
            self._refreshes += 1
            if self._refreshes > _REFRESHES:
                raise FileGone(f"file {stale.file_id}: its file reference kept expiring")
            fresh = await self._refresh()
            if fresh is None or fresh.file_id != stale.file_id:
                raise FileGone(f"file {stale.file_id} is no longer in its message")
            self.source = fresh


def _moved(source: FileSource, dc_id: int) -> FileSource:
    return FileSource(source.file_id, source.location, dc_id, source.size, source.inline)
