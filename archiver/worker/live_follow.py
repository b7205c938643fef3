"""The daemon's view of how each channel is followed, and when each polled one is next due.

A channel's loop asks ``settle`` before each catch-up (joining once per account when the
channel is to be joined) and ``interval`` after it. Joined channels are caught up every
``archive.poll_interval``; polled ones on intervals planned per account by
``poll_interval.plan_intervals`` from how much each channel posted lately, within
``live.poll_budget``. Plans are refreshed soon after the set of polled channels changes, and
at least every ``REPLAN_SECONDS``.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from archiver.channel_policy import Mode
from archiver.store.channels import Channel
from archiver.store.post_rates import recent_post_counts
from archiver.worker.accounts import TelegramAccount
from archiver.worker.context import WorkerContext
from archiver.worker.follow_mode import settle_mode
from archiver.worker.poll_interval import DAY, WEEK, plan_intervals, post_rate

log = logging.getLogger(__name__)

REPLAN_SECONDS = 60.0
DIRTY_REPLAN_SECONDS = 2.0
"""After a change of channels, plan again at most this often (hundreds settle at start)."""


@dataclass
class LiveFollow:
    """Follow modes and poll intervals of the channels one worker holds."""

    ctx: WorkerContext
    modes: dict[int, tuple[Mode, str]] = field(default_factory=dict)
    """channel id -> (mode in use, account it was settled with)."""
    intervals: dict[int, float] = field(default_factory=dict)
    _planned_at: float = -1e18
    _dirty: bool = True
    _warned: bool = False

    async def settle(self, account: TelegramAccount, channel: Channel) -> Mode:
        """The channel's mode with ``account``; joins it once when it is to be joined."""
        name = account.name
        known = self.modes.get(channel.id)
        if known is not None and known[1] == name:
            return known[0]
        mode = await settle_mode(self.ctx, account, channel)
        self.modes[channel.id] = (mode, name)
        self._dirty = True
        return mode

    def forget(self, channel_id: int) -> None:
        """The channel is no longer this worker's."""
        if self.modes.pop(channel_id, None) is not None:
            self._dirty = True

    async def interval(self, channel_id: int) -> float:
        """Seconds until the channel's next catch-up."""
        mode = self.modes.get(channel_id, ("poll", ""))[0]
        if mode == "join":
            return float(self.ctx.config.archive.poll_interval)
        age = time.monotonic() - self._planned_at
        if age > REPLAN_SECONDS or (self._dirty and age > DIRTY_REPLAN_SECONDS):
            await self.plan()
        return self.intervals.get(channel_id) or self._fair_share()

    def _fair_share(self) -> float:
        """Until the next plan: the interval at which every polled channel fits the budget."""
        live = self.ctx.config.live
        polled = sum(1 for mode, _ in self.modes.values() if mode == "poll")
        share = polled * 60.0 / live.poll_budget
        return float(min(max(share, live.min_poll_interval), max(live.max_poll_interval, share)))

    async def plan(self) -> None:
        """Plan every polled channel's interval from its recent post rate, per account."""
        live = self.ctx.config.live
        polled = {cid: name for cid, (mode, name) in self.modes.items() if mode == "poll"}
        now = self.ctx.now()
        async with self.ctx.read() as conn:
            day = await recent_post_counts(conn, polled, int(now - DAY))
            week = await recent_post_counts(conn, polled, int(now - WEEK))
        intervals: dict[int, float] = {}
        for account in set(polled.values()):
            rates = {
                cid: post_rate(day.get(cid, 0), week.get(cid, 0))
                for cid, name in polled.items()
                if name == account
            }
            intervals.update(
                plan_intervals(
                    rates,
                    budget_per_minute=live.poll_budget,
                    min_interval=live.min_poll_interval,
                    max_interval=live.max_poll_interval,
                )
            )
        if not self._warned and intervals and max(intervals.values()) > live.max_poll_interval:
            self._warned = True
            most = max(Counter(polled.values()).values())
            log.warning(
                "live.poll_budget (%d a minute) is too small to poll %d channels of one account "
                "within live.max_poll_interval (%d s): they are polled every %.0f s; raise "
                "poll_budget to %d, or max_poll_interval",
                live.poll_budget,
                most,
                live.max_poll_interval,
                max(intervals.values()),
                math.ceil(most * 60 / live.max_poll_interval),
            )
        self.intervals = intervals
        self._planned_at = time.monotonic()
        self._dirty = False
