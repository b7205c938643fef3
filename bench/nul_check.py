"""What the NUL check (``archiver.store.nul_free``) costs the archiver's hot path.

The same simulated channel of N text posts archived end to end (``bench/ingest.py``'s
``archive_once``: Telethon over the simulator, converters, ``save_messages``, on SQLite), with
the check as shipped and, as the baseline of the same run, with ``save_messages``'s
``nul_free`` replaced by the identity. Runs alternate, medians are compared. On a busy
machine the two rates differ by noise; the CPU time spent in the check itself (thread time
of the calls) against the process's CPU time for the whole sync is the steadier figure.

    python bench/nul_check.py [--posts N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from ingest import archive_once

import archiver.store.messages as store_messages
from archiver.simulator import ChannelSpec, generate_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shipped = store_messages.nul_free
    rates: dict[str, list[float]] = {"without": [], "with": []}
    shares: list[float] = []
    spent = [0.0]

    def timed(value):
        started = time.thread_time()
        try:
            return shipped(value)
        finally:
            spent[0] += time.thread_time() - started

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate_world(
            root / "world.sqlite",
            seed=7,
            channels=[ChannelSpec("bench", "Bench", lang="ru", posts=args.posts, media=False)],
        ).close()
        gen = time.perf_counter() - started
        for run in range(args.runs):
            for name, check in (("without", lambda value: value), ("with", timed)):
                store_messages.nul_free = check
                workdir = root / f"{name}{run}"
                workdir.mkdir()
                spent[0], cpu = 0.0, time.process_time()
                elapsed, count, _, _ = asyncio.run(archive_once(workdir, root / "world.sqlite"))
                assert count == args.posts, f"archived {count} of {args.posts}"
                rates[name].append(count / elapsed)
                if name == "with":
                    shares.append(spent[0] / (time.process_time() - cpu))
    store_messages.nul_free = shipped
    base, ours = statistics.median(rates["without"]), statistics.median(rates["with"])
    print(f"world of {args.posts} posts generated in {gen:.1f} s; {args.runs} runs, medians:")
    print(f"| {'what':<44} | {'messages/s':>11} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 8}|")
    print(f"| {'baseline: sync without the NUL check':<44} | {base:>11,.0f} | {1:>6.2f} |")
    print(
        f"| {'sync with the NUL check (as shipped)':<44} | {ours:>11,.0f} | {ours / base:>6.3f} |"
    )
    print(f"CPU time in the check: {statistics.median(shares):.2%} of the sync's (median)")


if __name__ == "__main__":
    main()
