"""Public channels by the key a URL names them with, remembered for at most a second.

Every page starts by finding its channel (and a channel page its old usernames): two
queries that cost a fifth of a page otherwise served in about a millisecond. A lookup is
kept for ``max_age`` seconds, so a channel hidden, renamed, erased or given a new username
shows so on every page within that time; posts and everything else are read fresh. Not-found
is remembered the same way, so a channel unhidden appears as quickly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.channels import Channel
from archiver.store.visibility import PublishMode, old_usernames, public_channel


@dataclass(frozen=True, slots=True)
class PublicChannel:
    """What a URL key names: the channel (None if not public), whether the key is its
    canonical one (else the page redirects), and the usernames it had before."""

    channel: Channel | None
    canonical: bool
    old_usernames: tuple[str, ...]


class ChannelCache:
    """Lookups of ``public_channel`` by key, each reused for ``max_age`` seconds."""

    def __init__(
        self,
        max_age: float = 1.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[str, str], tuple[float, PublicChannel]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def lookup(self, conn: AsyncConnection, key: str, mode: PublishMode) -> PublicChannel:
        """The public channel ``key`` names, as read at most ``max_age`` seconds ago."""
        now = self.clock()
        entry = self._entries.get((key, mode))
        if entry is not None and entry[0] > now:
            return entry[1]
        channel, canonical = await public_channel(conn, key, mode)
        old = tuple(await old_usernames(conn, channel)) if channel is not None else ()
        found = PublicChannel(channel, canonical, old)
        if len(self._entries) >= self.max_entries:  # keys typed at random must not pile up
            self._entries.clear()
        self._entries[(key, mode)] = (now + self.max_age, found)
        return found
