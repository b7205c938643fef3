"""CLI start-up: CPU time of short ``tgmirror`` commands against the bare interpreter.

The test suite makes about 250 CLI calls and an operator's scripts make many more, so what a
command costs before it does anything matters. In one run, alternating, it times:

- baseline: ``python -c pass`` (the interpreter alone);
- ``tgmirror --version``, ``tgmirror status`` and ``tgmirror db upgrade`` (already at head) in a
  small simulated archive;
- with ``--before DIR`` (a checkout of an older commit, e.g. ``git worktree add --detach``), the
  same commands run with that checkout first on PYTHONPATH, for a before/after in one run.

It prints the median wall and CPU (user + sys of the child) of each, and CPU as a ratio to the
baseline.

    python bench/cli_startup.py [--runs 7] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archiver.simulator import ChannelSpec, generate_world

CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
[[channels]]
ref = "@startup"
"""
COMMANDS = [["--version"], ["status"], ["db", "upgrade"]]


def prepare(root: Path) -> None:
    """A logged-in simulated archive of one synced channel of 50 posts."""
    generate_world(
        root / "world.sqlite", seed=1, channels=[ChannelSpec("startup", "Startup", posts=50)]
    ).close()
    (root / "tgmirror.toml").write_text(CONFIG)
    tgmirror = str(Path(sys.executable).parent / "tgmirror")
    for args, stdin in (
        (["db", "upgrade"], ""),
        (["login", "--phone", "+15550000000"], "12345\n"),
        (["sync"], ""),
    ):
        subprocess.run(
            [tgmirror, *args], cwd=root, input=stdin, text=True, check=True, capture_output=True
        )


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an older checkout to compare against")
    args = parser.parse_args()
    tgmirror = str(Path(sys.executable).parent / "tgmirror")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    env.pop("PYTHONPATH", None)
    variants = [("after", env)]
    if args.before is not None:
        variants.insert(0, ("before", {**env, "PYTHONPATH": str(args.before.resolve())}))
    rows: list[tuple[str, list[str]]] = [("baseline", [sys.executable, "-c", "pass"])]
    rows += [(label, [tgmirror, *cmd]) for label, _ in variants for cmd in COMMANDS]
    envs = dict(variants)
    samples: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(rows))}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare(root)
        for _ in range(args.runs):
            for i, (label, argv) in enumerate(rows):
                samples[i].append(timed(argv, root, envs.get(label, env)))
    print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs each, medians")
    print("| code | command | wall ms | CPU ms | CPU ratio to baseline |")
    print("|---|---|---|---|---|")
    base_cpu = statistics.median(c for _, c in samples[0])
    for i, (label, argv) in enumerate(rows):
        wall = statistics.median(w for w, _ in samples[i])
        cpu = statistics.median(c for _, c in samples[i])
        what = "python -c pass" if i == 0 else "tgmirror " + " ".join(argv[1:])
        print(f"| {label} | {what} | {wall * 1000:.0f} | {cpu * 1000:.0f} | {cpu / base_cpu:.1f} |")


if __name__ == "__main__":
    main()
