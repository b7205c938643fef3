"""kill -9 of ``tgmirror sync`` in the middle of a 40 MB download, then a re-run: the download
resumes from its last complete part, fetches at most 2 MiB again, and stores the right bytes.

Counted by the simulated Telegram itself (`World.served_parts`, `World.file_bytes_served`)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import archive_sql

from archiver.simulator import Document, World

MIB = 1 << 20
SIZE = 40 * MIB
CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
max_file_size_mb = 100
[media]
parallel_parts = 2
[[channels]]
ref = "@bigvideo"
"""


def _done_parts(partial: Path) -> int:
    """Parts the download's log says are complete (its first line names the file)."""
    logs = list(partial.glob("*.done")) if partial.is_dir() else []
    return max((len(p.read_text().splitlines()) - 1 for p in logs), default=0)


def test_a_killed_download_resumes_from_its_last_complete_part(cli, cli_db, tmp_path) -> None:
    world = World.create(tmp_path / "world.sqlite")
    channel = world.add_channel("bigvideo", "Big video")
    data = b"".join(hashlib.sha256(b"%d" % n).digest() * (MIB // 32) for n in range(40))
    world.post(
        channel, "40 MB", media=Document(data, "application/zip", file_name="big.zip"), push=False
    )
    file_id = world.messages(channel)[0]["media"]["file_id"]
    world.set_file_dc(file_id, 3)
    # About 2 s for the whole file over one connection: the kill lands in the middle.
    world.set_network(rtt_ms=20, bytes_per_second=20_000_000)
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0

    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    partial = tmp_path / "data" / "partial"
    proc = subprocess.Popen(
        [str(script), "sync"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while _done_parts(partial) < 8 and proc.poll() is None:
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done_at_kill = _done_parts(partial)
    assert 8 <= done_at_kill < 40, "the kill must land in the middle of the download"

    final = cli("sync")
    assert final.returncode == 0, final.stdout + final.stderr
    served = sum(length for _, length in world.served_parts(file_id))
    assert served == world.file_bytes_served()
    assert served - SIZE <= 2 * MIB  # downloaded again: at most the two parts in flight
    sha, path, size = archive_sql.rows(cli_db.url, "SELECT sha256, path, size FROM media_files")[0]
    stored = (tmp_path / "data" / "media" / path).read_bytes()
    assert (size, sha) == (SIZE, hashlib.sha256(data).hexdigest())
    assert hashlib.sha256(stored).hexdigest() == sha
    assert list(partial.iterdir()) == []
    world.close()
