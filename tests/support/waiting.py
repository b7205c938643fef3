"""Wait for what a test expects a process to do: poll a condition until it holds or time is up.

A deadline, not a timed assertion: the test fails only when the thing never happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], seconds: float = 60, every: float = 0.2) -> None:
    """Return once ``predicate()`` is true; AssertionError after ``seconds`` without."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds:.0f} s")
