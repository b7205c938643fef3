"""No write for a channel without its lease: the check ``WorkerContext.write`` runs first.

The channel a task archives is a context variable set by that task (``writing_for``), so
every write it makes — history batches, reconciliation, media, probes, error records — is
checked without each call site passing the channel along. The check runs inside the write
transaction and locks the lease until commit: a worker whose lease expired (a long pause, a
network cut) and was taken over cannot commit one more batch of that channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.leases import confirm_lease

_writing_for: ContextVar[int | None] = ContextVar("tgmirror_writing_for", default=None)


class LeaseLost(Exception):
    """This worker no longer holds the lease of ``channel_id``: it must stop archiving it."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(f"channel {channel_id}: its lease is no longer ours")
        self.channel_id = channel_id


@contextmanager
def writing_for(channel_id: int) -> Iterator[None]:
    """Mark the writes made inside (and in tasks started inside) as writes of ``channel_id``."""
    token = _writing_for.set(channel_id)
    try:
        yield
    finally:
        _writing_for.reset(token)


@dataclass
class LeaseFence:
    """The leases this worker holds (channel id → ``taken_at``), kept by ``LeaseKeeper``."""

    worker_id: str
    held: dict[int, int] = field(default_factory=dict)

    async def check(self, conn: AsyncConnection) -> None:
        """Raise ``LeaseLost`` unless the channel being written (if any) is still ours."""
        channel_id = _writing_for.get()
        if channel_id is None:
            return
        taken_at = self.held.get(channel_id)
        if taken_at is None or not await confirm_lease(conn, channel_id, self.worker_id, taken_at):
            raise LeaseLost(channel_id)
