"""Import memory and speed: a Telegram Desktop export of about 2 GB, next to a baseline.

Writes one channel's export to disk — ``result.json`` with N posts (Russian and Arabic text,
entities, both shapes of ``text``) and photos of about 2 MB each beside it — then runs, each
in its own process so that peak RSS is its own:

- baseline: ``ijson`` reading every message of the same ``result.json`` and nothing else;
- ``tgmirror import`` of the folder (the CLI command, in process) into an empty archive.

Prints posts/second, peak RSS and the export's size. The import must stay in bounded memory
whatever the export's size: its RSS is compared with the baseline's, not with the file.

    python bench/import_export.py [--posts 1000000] [--media-mb 1024] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from child_figures import print_figures

CHANNEL = 777001
PHOTO_MB = 2


def _message(rng: random.Random, i: int, photo: str | None) -> dict:
    from archiver.simulator.content import post_text

    text, entities = post_text(rng, rng.choice(("ru", "ar")))
    stamp = 1_500_000_000 + i * 30
    record: dict = {
        "id": i,
        "type": "message",
        "date": datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(stamp),
        "from": "Bench",
        "from_id": f"channel{CHANNEL}",
    }
    if entities:
        record["text"] = [text[:10], {"type": "bold", "text": text[10:30]}, text[30:]]
        record["text_entities"] = [
            {"type": "plain", "text": text[:10]},
            {"type": "bold", "text": text[10:30]},
            {"type": "plain", "text": text[30:]},
        ]
    else:
        record["text"] = text
        record["text_entities"] = [{"type": "plain", "text": text}]
    if photo:
        record.update(photo=photo, width=1280, height=960)
    return record


def write_export(folder: Path, posts: int, media_mb: int) -> int:
    """Write the export; returns its size in bytes."""
    rng = random.Random(11)
    photos = media_mb // PHOTO_MB
    every = max(1, posts // photos) if photos else 0
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    size = 0
    with open(folder / "result.json", "w", encoding="utf-8") as out:
        out.write(
            json.dumps({"name": "Bench import", "type": "public_channel", "id": CHANNEL})[:-1]
        )
        out.write(', "messages": [\n')
        written = 0
        for i in range(1, posts + 1):
            photo = None
            if every and i % every == 0 and written < photos:
                photo = f"photos/photo_{i}@01-01-2020_00-00-00.jpg"
                data = b"\xff\xd8\xff\xe0" + rng.randbytes(PHOTO_MB * 1024 * 1024 - 4)
                (folder / photo).write_bytes(data)
                size += len(data)
                written += 1
            out.write(
                ("" if i == 1 else ",\n") + json.dumps(_message(rng, i, photo), ensure_ascii=False)
            )
        out.write("\n]}\n")
    return size + (folder / "result.json").stat().st_size


def baseline(folder: Path) -> int:
    import ijson

    with open(folder / "result.json", "rb") as handle:
        return sum(1 for _ in ijson.items(handle, "messages.item"))


def run_import(root: Path) -> int:
    import archiver.cli.db
    import archiver.cli.transfer  # noqa: F401  (both register their commands)
    from archiver.cli import app

    conf = root / "tgmirror.toml"
    conf.write_text('[storage]\ndata_dir = "data"\n')
    app(["--config", str(conf), "db", "upgrade"], standalone_mode=False)
    app(["--config", str(conf), "import", str(root / "export")], standalone_mode=False)
    import sqlite3

    db = sqlite3.connect(root / "data" / "tgmirror.db")
    return db.execute("SELECT count(*) FROM messages").fetchone()[0]


def child(root: Path, what: str) -> None:
    started = time.perf_counter()
    n = baseline(root / "export") if what == "baseline" else run_import(root)
    print_figures(n, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--media-mb", type=int, default=1024)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="tgmirror-bench-import-"))
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "export" / "result.json").exists():
        started = time.perf_counter()
        size = write_export(root / "export", args.posts, args.media_mb)
        print(f"wrote a {size / 2**30:.2f} GB export in {time.perf_counter() - started:.0f} s")
    size = sum(f.stat().st_size for f in (root / "export").rglob("*") if f.is_file())
    if (root / "data").exists():
        subprocess.run(["rm", "-rf", str(root / "data")], check=True)
    rows = []
    for what in ("baseline", "import"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(root), what],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append((what, json.loads(out.stdout.strip().splitlines()[-1])))
    base = rows[0][1]["posts"] / rows[0][1]["seconds"]
    names = {
        "baseline": "baseline: ijson reads every message",
        "import": "tgmirror import (rows, FTS, media)",
    }
    print(f"export: {size / 2**30:.2f} GB, {rows[0][1]['posts']:,} posts")
    print(f"| {'what':<38} | {'posts/s':>9} | {'peak RSS MB':>11} | {'ratio':>5} |")
    print(f"|{'-' * 40}|{'-' * 11}|{'-' * 13}|{'-' * 7}|")
    for what, r in rows:
        rate = r["posts"] / r["seconds"]
        print(f"| {names[what]:<38} | {rate:>9,.0f} | {r['rss_mb']:>11.0f} | {rate / base:>5.2f} |")
    if not args.keep:
        print(f"(files in {root}; --keep {root} reuses the export)")


if __name__ == "__main__":
    main()
