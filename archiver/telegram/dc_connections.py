"""A connection to each Telegram datacenter, for downloading file parts where the file lives.

Telegram serves a file only from its own DC (FILE_MIGRATE_X elsewhere). The account's own DC
is the client's main connection; for any other, Telethon's exported sender (a second
connection, authorised with auth.exportAuthorization / importAuthorization) is borrowed once
and shared by every part. Telethon's public ``iter_download`` cannot be used here: it caps
requests at 512 KiB, and Telegram allows 1 MiB parts (core.telegram.org/api/files).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from telethon import TelegramClient, functions


class DcConnections:
    """The senders of one client, by DC; use as ``async with`` so borrowed ones are returned."""

    def __init__(self, client: TelegramClient) -> None:
        self._client = client
        self._borrowed: dict[int, Any] = {}
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> DcConnections:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _sender(self, dc_id: int) -> Any:
        if dc_id == self._client.session.dc_id:
            return self._client._sender
        async with self._lock:
            if dc_id not in self._borrowed:
                self._borrowed[dc_id] = await self._client._borrow_exported_sender(dc_id)
            return self._borrowed[dc_id]

    async def get_part(self, location: Any, dc_id: int, offset: int, limit: int) -> bytes:
        """``limit`` bytes of the file at ``offset``, asked of DC ``dc_id`` (Telethon's own
        call path: flood waits under its threshold and server errors are retried there)."""
        request = functions.upload.GetFileRequest(location, offset=offset, limit=limit)
        result = await self._client._call(await self._sender(dc_id), request)
        if not isinstance(getattr(result, "bytes", None), bytes):
            raise ValueError(f"Telegram answered {type(result).__name__}, not file bytes")
        return bytes(result.bytes)

    async def close(self) -> None:
        """Give the borrowed senders back (Telethon disconnects them once unused)."""
        async with self._lock:
            borrowed, self._borrowed = self._borrowed, {}
        for sender in borrowed.values():
            await self._client._return_exported_sender(sender)
