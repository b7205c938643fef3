"""What a benchmark's child process prints: how many items, how long, and its own peak RSS."""

from __future__ import annotations

import json
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB. Not ``ru_maxrss``: that survives
    exec and would report the parent's peak."""
    status = Path("/proc/self/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1]) / 1024


def print_figures(posts: int, seconds: float) -> None:
    """One JSON line for the parent: ``posts``, ``seconds`` and ``rss_mb``."""
    print(json.dumps({"posts": posts, "seconds": seconds, "rss_mb": peak_rss_mb()}))
