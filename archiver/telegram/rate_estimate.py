"""Learn one Telegram method's rate limit from its FLOOD_WAIT answers (pure: no clock, no I/O).

Telegram limits each method per account like a token bucket: a burst, then a steady rate, and
answers FLOOD_WAIT_X once the bucket is empty. Two FLOOD_WAIT answers bracket a stretch in
which every call Telegram allowed was made, so *calls between them / time between them* is the
method's rate. At the first answer the bucket's burst is mixed in, which makes the same ratio
an overestimate: pacing at it drains what the wait refilled quickly, and the second answer then
gives the true rate. Calls are spaced at ``margin`` of the estimate, and the estimate creeps up
by ``step`` after ``raise_every`` calls and ``raise_seconds`` of calls without a wait, so a rate
guessed too low is found again. A flood wait costs at least a whole second (Telegram's waits
are whole seconds), so the faster the method, the rarer the creep.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RateEstimate:
    """What is known of one method's limit; feed it every answer with ``on_success`` and
    ``on_flood``, read ``interval``."""

    margin: float = 0.9
    """Share of the measured rate the pacer uses: below the limit, not at it."""
    step: float = 1.05
    """Factor the estimate grows by after ``raise_every`` calls without a flood wait."""
    raise_every: int = 100
    raise_seconds: float = 30.0
    rate: float | None = None
    """Calls per second the pacer allows, or None while no flood wait was seen."""
    floods: int = 0
    _first_call: float | None = None
    _flood_at: float | None = None
    _calls: int = 0
    _quiet: int = 0
    _longest_wait: float = 1.0
    _last_call: float | None = None
    _idle: float = 0.0

    @property
    def interval(self) -> float:
        """Seconds to leave between two calls (0: no limit learnt yet)."""
        return 0.0 if self.rate is None else 1.0 / self.rate

    def on_success(self, now: float) -> None:
        """A call answered without a flood wait at ``now`` (seconds, any monotonic clock)."""
        if self._first_call is None:
            self._first_call = now
        self._note_gap(now)
        self._calls += 1
        if self.rate is None:
            return
        self._quiet += 1
        if self._quiet >= max(self.raise_every, self.rate * self.raise_seconds):
            self.rate *= self.step
            self._quiet = 0

    def _note_gap(self, now: float) -> None:
        """A long pause since the last answer is ours (nothing to send), not the bucket's."""
        if self._last_call is not None:
            gap = now - self._last_call
            if gap > max(3.0 * self.interval, 2.0):
                self._idle += gap - self.interval
        self._last_call = now

    def _between(self, measured: float) -> float:
        """The new rate from the calls made between two waits over the time we had calls to
        make (``measured``) and the pace that met the second wait (an upper bound): that pace
        less the margin, unless the measure puts the rate well below it."""
        pace = self.rate if self.rate is not None else measured
        return max(measured * self.margin, min(pace * self.margin, measured * 1.1))

    def _floor(self, wait: float) -> float:
        """The slowest pace the waits justify. A bucket's wait is at most its refill period
        (rounded up), so one call per two of the longest waits seen stays below it; without
        this floor, waits that are not about our pace (Telegram struggling) would slow the
        method without end."""
        self._longest_wait = max(self._longest_wait, wait, 1.0)
        return 1.0 / (2.0 * self._longest_wait)

    def on_wait_extended(self, until: float) -> None:
        """A request already in flight met the running wait and lengthened it to ``until``:
        the time until then is waiting, not idling (it must not thin the next measure)."""
        if self._last_call is not None:
            self._last_call = max(self._last_call, until)

    def on_flood(self, now: float, wait: float) -> None:
        """Telegram answered FLOOD_WAIT_``wait`` at ``now``: the method's bucket is empty."""
        self.floods += 1
        self._note_gap(now)
        since = self._flood_at if self._flood_at is not None else self._first_call
        busy = now - since - self._idle if since is not None else 0.0
        if since is not None and self._calls > 0 and busy > 0:
            measured = self._calls / busy
            if self._flood_at is None:
                # First answer: the burst inflates the ratio; pace at it to meet the true
                # rate at the next answer (never slower than one call per wait).
                self.rate = max(measured, 1.0 / max(wait, 1.0))
            else:
                self.rate = max(self._between(measured), self._floor(wait))
        elif self.rate is not None and self._flood_at is not None:
            # A wait right after the last one: too fast still.
            self.rate = max(self.rate * self.margin, self._floor(wait))
        # No call of ours before it: the wait is about the account, not this method's pace.
        self._flood_at, self._last_call = now, now + wait  # waiting is not idling
        self._calls = 0
        self._quiet = 0
        self._idle = 0.0
