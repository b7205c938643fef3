"""A worker's side of channel leases: take, renew and release them on the daemon's timer.

Several ``tgmirror run`` on one database split the followed channels through
``channel_leases``; ``LeaseKeeper.refresh`` runs every ``archive.lease_renew_interval``
seconds: it renews what this worker holds, notices what was taken over while it was stalled,
and takes free or expired leases up to ``archive.max_channels``. A default worker id
(``<hostname>-<pid>``) names its process, so a worker restarted on the same host takes the
leases of its dead predecessor at once instead of waiting for them to expire.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.events import add_event
from archiver.store.leases import list_leases, release_leases, renew_leases, take_leases
from archiver.worker.context import WorkerContext
from archiver.worker.fence import LeaseFence

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    """``<hostname>-<pid>``: unique among running workers, and says which process it is."""
    return f"{socket.gethostname()}-{os.getpid()}"


def dead_local_workers(worker_ids: set[str]) -> set[str]:
    """Default-form ids of processes of this host that no longer run (a crash, kill -9)."""
    pattern = re.compile(re.escape(socket.gethostname()) + r"-(\d+)")
    dead = set()
    for worker_id in worker_ids:
        match = pattern.fullmatch(worker_id)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            dead.add(worker_id)
        except (PermissionError, OverflowError):
            continue  # alive under another user, or not a pid at all
    return dead


@dataclass(frozen=True, slots=True)
class LeaseChange:
    """What one refresh changed: channels newly held, and channels lost to another worker."""

    gained: frozenset[int]
    lost: frozenset[int]


class LeaseKeeper:
    """Holds this worker's leases on ``channel_ids``; ``fence`` is what its writes check.

    ``max_channels`` caps how many it takes (default ``archive.max_channels``; 0: no cap).
    """

    def __init__(
        self,
        ctx: WorkerContext,
        channel_ids: list[int],
        worker_id: str,
        *,
        max_channels: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.channel_ids = channel_ids
        self.fence = LeaseFence(worker_id)
        self.max_channels = (
            ctx.config.archive.max_channels if max_channels is None else max_channels
        )

    @property
    def worker_id(self) -> str:
        return self.fence.worker_id

    @property
    def held(self) -> dict[int, int]:
        return self.fence.held

    async def refresh(self) -> LeaseChange:
        """Renew held leases, then take free ones up to the cap, in one transaction."""
        archive = self.ctx.config.archive
        held = self.fence.held
        async with self.ctx.write() as conn:
            lost = await self._renew(conn)
            room = (self.max_channels or len(self.channel_ids)) - len(held)
            holders = {lease.worker_id for lease in (await list_leases(conn)).values()}
            wanted = [cid for cid in self.channel_ids if cid not in held]
            taken = await take_leases(
                conn,
                self.worker_id,
                wanted,
                room,
                archive.lease_duration,
                dead_workers=dead_local_workers(holders - {self.worker_id}),
            )
            now = self.ctx.now()
            for lease in taken:
                held[lease.channel_id] = lease.taken_at
                if lease.previous not in (None, self.worker_id):
                    detail = {"worker": self.worker_id, "previous": lease.previous}
                    await add_event(conn, lease.channel_id, "worker_changed", now, detail)
        for lease in taken:
            if lease.previous not in (None, self.worker_id):
                log.info("took over channel %s from worker %s", lease.channel_id, lease.previous)
        self._log_lost(lost)
        return LeaseChange(frozenset(t.channel_id for t in taken), lost)

    async def renew(self) -> frozenset[int]:
        """Only renew held leases, taking none (a sync pass takes its channels once); returns
        the channels lost to another worker."""
        async with self.ctx.write() as conn:
            lost = await self._renew(conn)
        self._log_lost(lost)
        return lost

    async def _renew(self, conn: AsyncConnection) -> frozenset[int]:
        held = self.fence.held
        duration = self.ctx.config.archive.lease_duration
        lost = frozenset(held) - await renew_leases(conn, self.worker_id, held, duration)
        for channel_id in lost:
            del held[channel_id]
        return lost

    @staticmethod
    def _log_lost(lost: frozenset[int]) -> None:
        for channel_id in lost:
            log.warning("channel %s: lease taken over by another worker; stopping", channel_id)

    async def release(self) -> None:
        """Give every held lease back (a clean exit), so other workers take them at once."""
        async with self.ctx.write() as conn:
            # Also the rows of ours not in `held`: a Ctrl-C can land after a refresh's commit
            # and before its caller saw the leases it took.
            ours = {
                cid: lease.taken_at
                for cid, lease in (await list_leases(conn)).items()
                if lease.worker_id == self.worker_id and cid in self.channel_ids
            }
            count = await release_leases(conn, self.worker_id, {**self.fence.held, **ours})
        self.fence.held.clear()
        log.info("released %d channel leases", count)
