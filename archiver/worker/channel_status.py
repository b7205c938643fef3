"""The erased-channel state machine (pure): observations in, status and events out.

A probe of a channel yields one ``Observation``: ``ok`` (Telegram serves it), ``signal`` (an
erasure sign: deleted, private, banned, restricted) or ``inconclusive`` (network error,
timeout, flood wait — never evidence either way). A channel becomes ``erased`` only after
``confirmations`` signals on checks at least ``interval`` seconds apart; until then it is
``suspect``. Signals closer together than ``interval`` do not count twice, so a burst of
failures in one minute cannot erase a channel. Any ``ok`` makes it ``active`` again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

ObservationKind = Literal["ok", "signal", "inconclusive"]


@dataclass(frozen=True, slots=True)
class Observation:
    kind: ObservationKind
    reason: str | None = None  # deleted | private | banned | restricted (for signals)
    detail: str | None = None  # what Telegram said, for the event log


@dataclass(frozen=True, slots=True)
class ChannelState:
    status: str = "active"  # active | suspect | erased
    reason: str | None = None
    signal_count: int = 0
    signal_first_at: int | None = None
    signal_last_at: int | None = None
    erased_at: int | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    state: ChannelState
    events: tuple[tuple[str, dict[str, object]], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.events)


def next_state(
    state: ChannelState, obs: Observation, now: int, *, confirmations: int, interval: int
) -> Transition:
    """The state after observing ``obs`` at ``now``, and the events to log."""
    if obs.kind == "inconclusive":
        return Transition(state)
    if obs.kind == "ok":
        if state.status == "active":
            return Transition(state)
        kind = "restored" if state.status == "erased" else "recovered"
        detail: dict[str, object] = {"was": state.status, "reason": state.reason}
        return Transition(ChannelState(), ((kind, detail),))
    if state.signal_last_at is not None and now - state.signal_last_at < interval:
        return Transition(state)  # too soon after the last signal to count again
    count = state.signal_count + 1
    signalled = dataclasses.replace(
        state,
        reason=obs.reason,
        signal_count=count,
        signal_first_at=state.signal_first_at or now,
        signal_last_at=now,
    )
    detail = {"reason": obs.reason, "detail": obs.detail, "confirmations": count}
    if state.status == "erased":
        return Transition(signalled)
    if count >= confirmations:
        erased = dataclasses.replace(signalled, status="erased", erased_at=now)
        return Transition(erased, (("erased", detail),))
    if state.status == "active":
        return Transition(dataclasses.replace(signalled, status="suspect"), (("suspect", detail),))
    return Transition(signalled)
