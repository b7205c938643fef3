"""The erased-channel state machine: confirmations spread in time, no false erasure."""

from __future__ import annotations

import pytest

from archiver.worker.channel_status import ChannelState, Observation, next_state

OK = Observation("ok")
NET = Observation("inconclusive", detail="ConnectionError")


def sig(reason: str = "private") -> Observation:
    return Observation("signal", reason)


def run(observations, *, times=None, confirmations=3, interval=100):
    state, log = ChannelState(), []
    for i, obs in enumerate(observations):
        now = times[i] if times else 1000 + i * interval
        t = next_state(state, obs, now, confirmations=confirmations, interval=interval)
        state = t.state
        log += [kind for kind, _ in t.events]
    return state, log


@pytest.mark.parametrize("reason", ["deleted", "private", "banned", "restricted"])
def test_confirmed_signal_erases_with_its_reason(reason) -> None:
    state, log = run([sig(reason)] * 3)
    assert (state.status, state.reason, state.erased_at) == ("erased", reason, 1200)
    assert log == ["suspect", "erased"]


def test_signals_too_close_together_count_once() -> None:
    state, log = run([sig()] * 10, times=[1000 + i for i in range(10)])
    assert (state.status, state.signal_count, log) == ("suspect", 1, ["suspect"])


def test_network_errors_are_never_evidence() -> None:
    assert run([NET] * 20) == (ChannelState(), [])
    state, _ = run([sig(), NET, NET, sig(), NET])
    assert (state.status, state.signal_count) == ("suspect", 2)


def test_ok_in_between_resets_the_count() -> None:
    state, log = run([sig(), sig(), OK, sig(), sig()])
    assert state.status == "suspect" and state.signal_count == 2
    assert log == ["suspect", "recovered", "suspect"]


def test_erased_channel_that_comes_back_is_restored() -> None:
    state, log = run([sig("banned")] * 3 + [OK])
    assert state == ChannelState()
    assert log == ["suspect", "erased", "restored"]


def test_one_confirmation_erases_at_once() -> None:
    state, log = run([sig("deleted")], confirmations=1)
    assert state.status == "erased" and log == ["erased"]
