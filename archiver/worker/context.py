"""What every worker task shares: config, engine, accounts, media store, one writer, a reporter.

The context holds every Telegram account of the worker (``accounts``) but no "current" one:
the functions that talk to Telegram take the account they talk as as a parameter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from archiver.channel_policy import channel_policy
from archiver.config import ChannelConfig, Config
from archiver.media import MediaStore, open_media_store
from archiver.worker.accounts import AccountPool
from archiver.worker.fence import LeaseFence

if TYPE_CHECKING:
    from archiver.tme.client import PoliteClient


class Reporter(Protocol):
    """Receives progress; the CLI shows it as progress bars or log lines."""

    def channel_started(self, channel_id: int, title: str, total: int | None) -> None: ...

    def advanced(self, channel_id: int, messages: int = 0, media_bytes: int = 0) -> None: ...

    def channel_finished(self, channel_id: int, outcome: str) -> None: ...


class SilentReporter:
    """A reporter that shows nothing (tests, background work)."""

    def channel_started(self, channel_id: int, title: str, total: int | None) -> None:
        pass

    def advanced(self, channel_id: int, messages: int = 0, media_bytes: int = 0) -> None:
        pass

    def channel_finished(self, channel_id: int, outcome: str) -> None:
        pass


@dataclass
class WorkerContext:
    """Shared state of one worker process; writes go through ``write()`` one at a time.

    SQLite allows one writer; serialising writes here avoids lock-upgrade failures between
    concurrent channel tasks, and keeps each batch and its checkpoint in one transaction.
    """

    config: Config
    engine: AsyncEngine
    accounts: AccountPool
    """The worker's Telegram accounts (``[[telegram.accounts]]``, else the one session)."""
    reporter: Reporter = field(default_factory=SilentReporter)
    clock: Callable[[], float] = time.time
    max_flood_wait: int = 900
    """Longest flood wait a sync sleeps through; a longer one pauses the channel until then."""
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set on SIGINT/SIGTERM: loops finish the batch in hand, commit and return."""
    fence: LeaseFence | None = None
    """Set while ``tgmirror run`` holds channel leases: writes for a channel check its lease."""
    _write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @cached_property
    def media_slots(self) -> asyncio.Semaphore:
        """Files this worker downloads at once, all channels together (media.parallel_files)."""
        return asyncio.Semaphore(self.config.media.parallel_files)

    @cached_property
    def media(self) -> MediaStore:
        """The media store of the config, opened on first use; ``close_media`` closes it."""
        return open_media_store(self.config)

    async def close_media(self) -> None:
        """Release the media store's connections, if it was opened."""
        if "media" in self.__dict__:
            await self.__dict__.pop("media").aclose()

    @cached_property
    def web(self) -> PoliteClient:
        """The t.me client (``[web_preview]``), opened on first use: one pace per host for the
        whole worker; ``close_web`` closes it."""
        from archiver.tme.client import PoliteClient

        preview = self.config.web_preview
        return PoliteClient(preview.base_url, rate=preview.rate, timeout=preview.timeout)

    async def close_web(self) -> None:
        """Close the t.me client, if it was opened."""
        if "web" in self.__dict__:
            await self.__dict__.pop("web").__aexit__(None, None, None)

    def now(self) -> int:
        return int(self.clock())

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, committed on exit; only one is open at a time.

        Inside a channel's task of ``tgmirror run`` it first confirms the channel's lease
        (``fence.LeaseLost`` if it is no longer ours) and holds it until commit.
        """
        async with self._write_lock, self.engine.begin() as conn:
            if not self.config.evidence.enabled:
                await conn.execution_options(evidence=False)
            if self.fence is not None:
                await self.fence.check(conn)
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    def channel_policy(self, channel_id: int, username: str | None) -> ChannelConfig | None:
        """The [[channels]] entry of the config that names this channel, if any."""
        return channel_policy(self.config, channel_id, username)

    def media_limits(self, channel_id: int, username: str | None) -> tuple[tuple[str, ...], int]:
        """(media kinds to download, max bytes) for a channel, per-channel overrides applied."""
        policy = self.channel_policy(channel_id, username)
        kinds = self.config.archive.media_kinds
        max_mb = self.config.archive.max_file_size_mb
        if policy is not None:
            kinds = policy.media_kinds if policy.media_kinds is not None else kinds
            max_mb = policy.max_file_size_mb if policy.max_file_size_mb is not None else max_mb
        return kinds, max_mb * 1024 * 1024
