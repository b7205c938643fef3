"""upload.getFile as Telegram answers it: the right DC, a live file reference, legal ranges.

The offset/limit rules are those of core.telegram.org/api/files ("Downloading files"): without
`precise`, offset and limit are multiples of 4 KiB and 1 MiB is a multiple of limit; with it,
multiples of 1 KiB and limit at most 1 MiB; and in any case the part stays inside one 1 MiB
block of the file. A breach is OFFSET_INVALID or LIMIT_INVALID (a part crossing a 1 MiB
boundary is LIMIT_INVALID, as Telethon users report in LonamiWebs/Telethon#4390).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telethon.tl import functions, types

from . import accounting, file_refs
from .accounts import RpcFailure

if TYPE_CHECKING:
    from .world import World

MIB = 1 << 20
DOCUMENT_THUMB_TYPE = "m"
"""The PhotoSize type of a document's thumbnail (Telegram's 320-pixel box)."""


def range_problem(offset: int, limit: int, precise: bool) -> str | None:
    """The error upload.getFile answers for this offset and limit, or None if they are legal."""
    step = 1024 if precise else 4096
    if offset < 0 or offset % step:
        return "OFFSET_INVALID"
    if limit <= 0 or limit % step:
        return "LIMIT_INVALID"
    if (limit > MIB) if precise else (MIB % limit):
        return "LIMIT_INVALID"
    if offset // MIB != (offset + limit - 1) // MIB:
        return "LIMIT_INVALID"
    return None


class FileHandlers:
    """Mixed into the RPC `Server`: downloads."""

    world: World
    conn: sqlite3.Connection
    dc_id: int
    _file: Callable[[int], sqlite3.Row]
    _channel_row: Callable[..., sqlite3.Row]

    def file_handlers(self) -> dict[type, Any]:
        return {functions.upload.GetFileRequest: self.get_file}

    def get_file(self, request: Any) -> types.upload.File:
        """A part of a photo, document, document thumbnail or channel photo."""
        problem = range_problem(request.offset, request.limit, bool(request.precise))
        if problem is not None:
            raise RpcFailure(problem)
        file = self._located_file(request.location)
        if file["dc_id"] != self.dc_id:
            raise RpcFailure(f"FILE_MIGRATE_{file['dc_id']}")
        served = file
        thumb = getattr(request.location, "thumb_size", "")
        if isinstance(request.location, types.InputDocumentFileLocation) and thumb:
            if thumb != DOCUMENT_THUMB_TYPE or file["thumb_id"] is None:
                raise RpcFailure("LOCATION_INVALID")
            served = self._file(file["thumb_id"])
        data = self.world.file_range(served["id"], request.offset, request.limit)
        with self.world.transaction() as conn:
            conn.execute(
                "INSERT INTO served_parts (file_id, offset, length) VALUES (?, ?, ?)",
                (served["id"], request.offset, len(data)),
            )
            accounting.add(conn, accounting.FILE_BYTES_SERVED, len(data))
        return types.upload.File(type=types.storage.FileUnknown(), mtime=0, bytes=data)

    def _located_file(self, loc: Any) -> sqlite3.Row:
        """The stored file a location names, once its access hash and reference check out."""
        if isinstance(loc, types.InputPeerPhotoFileLocation):
            channel = self._channel_row(loc.peer)
            if channel["photo_id"] != loc.photo_id:
                raise RpcFailure("LOCATION_INVALID")
            return self._file(loc.photo_id)
        if not isinstance(loc, types.InputPhotoFileLocation | types.InputDocumentFileLocation):
            raise RpcFailure("LOCATION_INVALID")
        file = self._file(loc.id)
        if file["access_hash"] != loc.access_hash:
            raise RpcFailure("FILE_ID_INVALID")
        problem = file_refs.problem(
            bytes(file["file_reference"]),
            bytes(loc.file_reference),
            time.time(),
            file_refs.lifetime(self.conn),
        )
        if problem is not None:
            raise RpcFailure(problem)
        return file
