"""Stream a file from an object store with the very Range logic that serves local files.

``StoredObjectResponse`` is Starlette's ``FileResponse`` with its file opened from the store
instead of the disk: Range and multi-range, If-Range, HEAD, 416 and Content-Length stay
Starlette's. Each seek starts one ranged read of the object; reads are filled to the size
asked for, as ``FileResponse`` expects of a file.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from os import stat_result
from typing import Any

from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from archiver.media import MediaStore, StoredObject


class StoredObjectReader:
    """A read-only, seekable view of a stored object, as ``FileResponse`` reads a file."""

    def __init__(self, store: MediaStore, key: str) -> None:
        self._store = store
        self._key = key
        self._position = 0
        self._chunks: AsyncIterator[bytes] | None = None
        self._buffer = b""

    async def seek(self, position: int) -> None:
        if position != self._position or self._chunks is None:
            await self.aclose()
            self._position = position

    async def read(self, size: int) -> bytes:
        if self._chunks is None:
            self._chunks = aiter(self._store.read(self._key, self._position))
        while len(self._buffer) < size:
            try:
                self._buffer += await anext(self._chunks)
            except StopAsyncIteration:
                break
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self._position += len(data)
        return data

    async def aclose(self) -> None:
        """End the read under way (its connection is dropped, not drained)."""
        chunks, self._chunks, self._buffer = self._chunks, None, b""
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


class StoredObjectResponse(FileResponse):
    """A ``FileResponse`` whose bytes come from ``store`` (not the file system)."""

    def __init__(
        self,
        store: MediaStore,
        found: StoredObject,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        modified = int(found.modified)
        fake_stat = stat_result(
            (stat.S_IFREG | 0o444, 0, 0, 1, 0, 0, found.size, modified, modified, modified)
        )
        super().__init__(found.key, media_type=media_type, headers=headers, stat_result=fake_stat)
        self._store = store
        self._key = found.key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # There is no path the server could send by itself: always stream.
        extensions = {
            name: value
            for name, value in scope.get("extensions", {}).items()
            if name != "http.response.pathsend"
        }
        await super().__call__({**scope, "extensions": extensions}, receive, send)

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[Any]:
        reader = StoredObjectReader(self._store, self._key)
        try:
            yield reader
        finally:
            await reader.aclose()
