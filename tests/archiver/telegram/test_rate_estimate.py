"""The rate estimator against a token bucket like Telegram's, on a virtual clock: pacing at its
estimate meets few flood waits and uses most of the rate the bucket allows."""

from __future__ import annotations

import pytest

from archiver.telegram.rate_estimate import RateEstimate


class Bucket:
    """``capacity`` tokens refilled at ``rate`` per second; FLOOD_WAIT answers the time until
    the next token, rounded up to whole seconds as Telegram does."""

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.at = float(capacity), 0.0

    def take(self, now: float) -> int:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, int(-(-(1 - self.tokens) // self.rate)))


def _run(bucket: Bucket, calls: int, rtt: float = 0.08) -> tuple[float, int, float]:
    """Make ``calls`` successful calls paced by the estimate: (seconds, flood waits, waited)."""
    estimate = RateEstimate()
    now, done, floods, waited = 0.0, 0, 0, 0.0
    while done < calls:
        wait = bucket.take(now + rtt / 2)
        if wait:
            floods += 1
            waited += wait
            estimate.on_flood(now + rtt, wait)
            now += rtt + wait
            continue
        estimate.on_success(now + rtt)
        done += 1
        now += estimate.interval
    return now, floods, waited


@pytest.mark.parametrize(
    ("capacity", "rate"), [(20, 2.0), (5, 0.2), (300, 30.0), (50, 5.0), (1, 1.0)]
)
def test_pacing_at_the_estimate_uses_the_rate_with_few_waits(capacity: int, rate: float) -> None:
    calls = 3000 if rate >= 1 else 400
    seconds, floods, waited = _run(Bucket(capacity, rate), calls)
    bound = (calls - capacity) / rate  # the fastest the bucket allows
    assert seconds <= 1.2 * bound
    assert waited <= 0.05 * seconds
    assert floods <= 2 + calls // 150


def test_no_limit_is_assumed_before_the_first_flood_wait() -> None:
    estimate = RateEstimate()
    for n in range(1000):
        estimate.on_success(n * 0.001)
    assert estimate.interval == 0.0


def test_a_flood_wait_before_any_call_sets_no_rate() -> None:
    estimate = RateEstimate()
    estimate.on_flood(5.0, 30)
    assert estimate.rate is None


def test_two_flood_waits_give_the_rate_between_them() -> None:
    estimate = RateEstimate(margin=1.0)
    estimate.on_success(0.0)
    estimate.on_flood(1.0, 1)  # paced at one call a second, faster than the bucket allowed
    for n in range(10):  # the bucket grants one call every two seconds
        estimate.on_success(2.0 + 2 * n)
    estimate.on_flood(21.0, 2)
    assert estimate.rate is not None
    assert 10 / 20 <= estimate.rate <= 1.1 * 10 / 20


def test_idle_stretches_between_waits_do_not_pull_the_rate_far_below_the_pace() -> None:
    estimate = RateEstimate(margin=0.9)
    estimate.on_success(0.0)
    estimate.on_flood(0.5, 1)  # first wait: paces at 2 calls/s
    for n in range(20):  # 20 calls at the pace, then idle for a minute
        estimate.on_success(1.5 + n * 0.5)
    estimate.on_flood(71.5, 1)
    assert estimate.rate is not None
    assert estimate.rate >= 0.9 * 2 * 0.9


def test_waits_unrelated_to_the_pace_never_slow_a_method_below_one_call_per_two_waits() -> None:
    estimate = RateEstimate()
    now = 0.0
    for n in range(2000):  # a wait of 3 s after every tenth call, whatever the pace
        if n % 10 == 9:
            estimate.on_flood(now, 3)
            now += 3
            continue
        estimate.on_success(now)
        now += max(0.01, estimate.interval)
    assert estimate.rate is not None
    assert estimate.rate >= 1 / 6
