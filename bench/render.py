"""Rendering cost of messages with many entities: is it linear in their number?

Renders texts of growing size with one entity every few characters, in three shapes
(disjoint, nested, overlapping), and prints microseconds per entity. Baseline in the same
run: the same text rendered with no entities (escaping alone). Flat per-entity figures
across sizes mean linear time.

    python bench/render.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from archiver.render import render_text

KINDS = ["bold", "italic", "code", "spoiler", "text_url", "pre", "strike"]


def shapes(n: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "disjoint": [{"type": KINDS[i % 7], "offset": 5 * i, "length": 3} for i in range(n)],
        "nested": [{"type": "italic", "offset": i, "length": 5 * n - 2 * i} for i in range(n)],
        "overlapping": [
            {"type": KINDS[i % 7], "offset": i, "length": n, "url": "https://x.org"}
            for i in range(n)
        ],
    }


def best_of(runs: int, text: str, entities: list[dict[str, Any]] | None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render_text(text, entities)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'entities':>9} {'shape':<12} {'ms':>9} {'µs/entity':>10} {'no-entity ms':>13}")
    for n in args.sizes:
        text = "ab🔥\n " * n
        baseline = best_of(args.runs, text, None)
        for shape, entities in shapes(n).items():
            took = best_of(args.runs, text, entities)
            print(
                f"{n:>9} {shape:<12} {took * 1e3:>9.1f} {took / n * 1e6:>10.2f}"
                f" {baseline * 1e3:>13.1f}"
            )


if __name__ == "__main__":
    main()
