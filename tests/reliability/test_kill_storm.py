"""kill -9 of ``tgmirror run`` at 50 random moments — during backfill, media downloads and
live updates — restarting each time: the final archive equals the world, with no gap, no
duplicate and no half-written media file, and ``tgmirror verify`` finds it clean. Again at 25
moments with Telegram's request quotas and a network with latency and bandwidth turned on."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import archive_sql
import pytest
from telegram_model import IDEAL, LIMITED, TelegramModel
from waiting import poll_until, wait_for

from archiver.simulator import ChannelSpec, Document, World, generate_world

KILLS = {IDEAL.name: 50, LIMITED.name: 25}  # the limited run only proves the same under limits
LIFE = {IDEAL.name: (0.1, 1.1), LIMITED.name: (1.0, 3.0)}  # seconds a daemon runs once connected
BIG_FILES = 30
CONFIG = """\
[simulator]
world = "world.sqlite"
[storage]
data_dir = "data"
{database}[archive]
history_page_delay = 0.1
poll_interval = 1
reconcile_interval = 3
[live]
poll_budget = 600
min_poll_interval = 1
max_poll_interval = 1
[[channels]]
ref = "@storm_text"
[[channels]]
ref = "@storm_media"
"""


def _expected(world: World) -> dict[int, list[int]]:
    return {
        cid: sorted(m["msg_id"] for m in world.messages(cid, include_deleted=False))
        for cid in (world.channel_id("storm_text"), world.channel_id("storm_media"))
    }


def _big_document(rng: random.Random, n: int) -> Document:
    size = rng.randint(2, 5) * 1024 * 1024 + rng.randint(0, 4095)
    return Document(rng.randbytes(size), "application/pdf", file_name=f"report-{n}.pdf")


def _media_done(url: str) -> int:
    return archive_sql.value(url, "SELECT count(*) FROM message_media WHERE status = 'stored'")


def _media_waiting(url: str) -> int:
    query = "SELECT count(*) FROM message_media WHERE status IN ('pending', 'failed')"
    return archive_sql.value(url, query)


def _parts_logged(tmp_path: Path) -> int:
    """Parts of unfinished downloads already on disk (lines after the header of each log)."""
    count = 0
    for log in (tmp_path / "data" / "partial").glob("*.done"):
        try:
            count += max(0, len(log.read_bytes().splitlines()) - 1)
        except FileNotFoundError:  # the download finished between the listing and the read
            continue
    return count


def _wait_until_connected(world: World, proc: subprocess.Popen, before: int) -> None:
    """Until the daemon has reached the simulated Telegram (its connection's GetConfig): the
    kill then lands in its work, not in its start-up, however slow the machine is."""

    def connected() -> bool:
        assert proc.poll() is None, "the daemon exited before it connected"
        return world.request_counts().get("GetConfigRequest", 0) > before

    wait_for(connected, 60, every=0.02, what="the daemon did not connect")


def _stored(url: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    query = "SELECT channel_id, msg_id FROM messages ORDER BY msg_id"
    for cid, msg_id in archive_sql.rows(url, query):
        out.setdefault(cid, []).append(msg_id)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("telegram", [IDEAL, LIMITED], ids=lambda m: m.name)
def test_fifty_kills_leave_exactly_the_world(
    cli, cli_db, tmp_path: Path, telegram: TelegramModel
) -> None:
    world = generate_world(
        tmp_path / "world.sqlite",
        seed=13,
        channels=[
            ChannelSpec("storm_text", "Storm text", lang="uk", posts=6000, media=False),
            ChannelSpec("storm_media", "Storm media", lang="fa", posts=300, media=True),
        ],
    )
    telegram.apply(world)
    kills = KILLS[telegram.name]
    (tmp_path / "tgmirror.toml").write_text(CONFIG.format(database=cli_db.setting))
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    script = Path(sys.executable).parent / "tgmirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    rng = random.Random(50)
    media_channel = world.channel_id("storm_media")
    for n in range(BIG_FILES):  # large enough that kills land in the middle of downloads
        world.post(media_channel, text=f"report {n}", media=_big_document(rng, n))
    progress: list[int] = []
    media_progress: list[int] = []
    for kill in range(kills):
        connects = world.request_counts().get("GetConfigRequest", 0)
        proc = subprocess.Popen(
            [str(script), "run", "--no-web"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until_connected(world, proc, connects)
        if kill % 4 == 0:  # in the middle of a download: once a part of some file is on disk
            poll_until(lambda: _parts_logged(tmp_path) > 0, 30, every=0.02)
            time.sleep(rng.uniform(0, 0.2))
        elif kill % 4 == 2:  # once a file more is stored, whatever the machine's speed
            before = _media_done(cli_db.url)

            def stored_one_more(before: int = before) -> bool:
                return _media_done(cli_db.url) > before or not _media_waiting(cli_db.url)

            poll_until(stored_one_more, 30)
            time.sleep(rng.uniform(0, 0.2))
        else:
            time.sleep(rng.uniform(*LIFE[telegram.name]))
        if kill % 5 == 0:  # live traffic while it runs
            world.post(media_channel, text=f"live post {kill}", media=_big_document(rng, kill))
        proc.kill()
        proc.wait()
        progress.append(sum(map(len, _stored(cli_db.url).values())))
        media_progress.append(_media_done(cli_db.url))
    print(
        f"\n{telegram.report(world)}\nrows after each kill: {progress}\n"
        f"media done after each kill: {media_progress}"
    )
    # The kills landed while there was work in hand, and each restart made progress.
    total = sum(map(len, _expected(world).values()))
    assert sum(1 for n in progress if 0 < n < total) >= kills // 2, progress
    assert progress == sorted(progress), progress
    midway = sum(1 for n in media_progress if 0 < n < media_progress[-1])
    assert midway >= kills // 10, media_progress
    final = subprocess.Popen(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    expected = _expected(world)
    try:
        poll_until(
            lambda: _stored(cli_db.url) == expected and not _media_waiting(cli_db.url), 120, 0.5
        )
    finally:
        final.terminate()
        final.wait(30)
    assert _stored(cli_db.url) == expected
    assert _media_waiting(cli_db.url) == 0
    for sha, path, size in archive_sql.rows(
        cli_db.url, "SELECT sha256, path, size FROM media_files"
    ):
        data = (tmp_path / "data" / "media" / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha)
    # No half file under a final name: every stored file is named by the hash of its bytes.
    media_root = tmp_path / "data" / "media"
    finals = [f for f in media_root.rglob("*") if f.is_file() and not f.name.startswith(".part-")]
    assert finals
    for f in finals:
        assert f.name.split(".")[0] == hashlib.sha256(f.read_bytes()).hexdigest(), f
    # Temporaries of killed downloads are swept by the next process that stores media.
    assert list(media_root.glob(".part-*")) == []
    assert cli("check").returncode == 0
    # The capture log was written in the transactions the kills cut short, so it holds every
    # stored message, and the archive verifies against it and its signed heads.
    unlogged = (
        "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM evidence_log e "
        "WHERE e.type = 'post' AND e.channel_id = m.channel_id AND e.msg_id = m.msg_id)"
    )
    assert archive_sql.value(cli_db.url, unlogged) == 0
    verified = cli("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    captures = archive_sql.value(cli_db.url, "SELECT count(*) FROM evidence_log")
    assert f"Verified {captures} captures, " in verified.stdout, verified.stdout
    assert " media files: 0 problems." in verified.stdout, verified.stdout
    print(f"kills survived: {kills}; rows verified: {total}; media files verified: {len(finals)}")
