"""How often to poll each channel of an account: a pure function of post rates and a budget.

Polling spends requests; an account has ``budget_per_minute`` of them for its polled channels.
A post waits on average half a poll interval before it is seen, so the lag of all posts,
``sum(rate_i * interval_i / 2)``, is smallest under a fixed budget when each channel's poll
rate is proportional to the square root of its post rate: busy channels are polled more often,
quiet ones less, and none is starved. Each interval then stays within ``[min, max]``; and no
channel is polled more than ``POLLS_PER_POST`` times per post it makes on average, so a budget
larger than needed is left unspent rather than burnt on quiet channels. When the budget cannot
poll every channel even at ``max_interval``, the budget wins and intervals grow past it.

No clock, no I/O: the daemon (or a request scheduler) gives post rates, gets intervals.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DAY = 86_400.0
WEEK = 7 * DAY
POLLS_PER_POST = 10
"""At most this many polls per post a channel makes on average."""
RATE_FLOOR = 1.0 / (30 * DAY)
"""A channel never seen posting still counts as posting about once a month."""


def post_rate(posts_last_day: int, posts_last_week: int) -> float:
    """Posts per second a channel makes, from how many it posted in the last day and week.

    The larger of the two rates wins, so a channel that just became busy is polled as such at
    once, while a burst a week ago still keeps it from looking dead.
    """
    return max(posts_last_day / DAY, posts_last_week / WEEK, RATE_FLOOR)


def plan_intervals(
    rates: Mapping[K, float],
    *,
    budget_per_minute: float,
    min_interval: float,
    max_interval: float,
) -> dict[K, float]:
    """Seconds between polls for each channel of one account, from its post rate (posts per
    second); the polls of all of them together stay within ``budget_per_minute``."""
    if not rates:
        return {}
    capacity = budget_per_minute / 60.0
    upper = max(max_interval, len(rates) / capacity)  # the budget wins over max_interval
    lower = {
        key: min(max(1.0 / (max(rate, RATE_FLOOR) * POLLS_PER_POST), min_interval), upper)
        for key, rate in rates.items()
    }
    weight = {key: math.sqrt(max(rate, RATE_FLOOR)) for key, rate in rates.items()}

    def plan(scale: float) -> dict[K, float]:
        return {key: min(max(scale / weight[key], lower[key]), upper) for key in rates}

    if requests_per_minute(plan(0.0)) <= budget_per_minute:
        return plan(0.0)  # every channel as often as it is worth: the budget is not the limit
    # The spend falls as the scale grows; find the smallest scale the budget allows.
    low, high = 0.0, upper * max(weight.values())
    for _ in range(60):
        middle = (low + high) / 2
        if requests_per_minute(plan(middle)) > budget_per_minute:
            low = middle
        else:
            high = middle
    return plan(high)


def requests_per_minute(intervals: Mapping[K, float]) -> float:
    """What a plan spends: polls per minute of all its channels together."""
    return sum(60.0 / interval for interval in intervals.values())
