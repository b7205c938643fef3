"""Poll intervals: busy channels more often, quiet ones less, within the account's budget."""

from __future__ import annotations

import random

from archiver.worker.poll_interval import (
    DAY,
    plan_intervals,
    post_rate,
    requests_per_minute,
)

BOUNDS = {"min_interval": 60, "max_interval": 1800}


def test_busier_channels_are_polled_more_often() -> None:
    rates = {"busy": post_rate(200, 1000), "daily": post_rate(1, 7), "silent": post_rate(0, 0)}
    plan = plan_intervals(rates, budget_per_minute=2, **BOUNDS)
    assert plan["busy"] < plan["daily"] <= plan["silent"] <= 1800


def test_the_budget_is_never_exceeded() -> None:
    for seed in range(200):
        pick = random.Random(seed)
        rates = {
            i: post_rate(pick.choice([0, 1, 20, 300]), pick.randint(0, 2000))
            for i in range(pick.randint(1, 300))
        }
        budget = pick.choice([1, 5, 30, 120])
        plan = plan_intervals(rates, budget_per_minute=budget, **BOUNDS)
        assert requests_per_minute(plan) <= budget * (1 + 1e-9)
        assert min(plan.values()) >= 60


def test_a_small_budget_stretches_intervals_past_the_maximum() -> None:
    rates = {i: post_rate(0, 0) for i in range(300)}
    plan = plan_intervals(rates, budget_per_minute=5, **BOUNDS)
    assert set(plan.values()) == {300 / 5 * 60}  # 3600 s: what 5 requests a minute allow


def test_an_ample_budget_is_not_spent_on_quiet_channels() -> None:
    plan = plan_intervals({"weekly": post_rate(0, 1)}, budget_per_minute=600, **BOUNDS)
    assert plan == {"weekly": 1800}


def test_a_channel_that_just_got_busy_counts_as_busy() -> None:
    assert post_rate(48, 48) == 48 / DAY
    assert post_rate(0, 70) == 10 / DAY


def test_no_channels_no_plan() -> None:
    assert plan_intervals({}, budget_per_minute=30, **BOUNDS) == {}
