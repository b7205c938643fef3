"""Random RPC errors and lost answers while the daemon backfills and follows several channels.

Three answers in ten fail (500s, timeouts, short flood waits, lost answers) while
the world gets new posts, edits and deletions (the account joined the channels, so Telegram
pushes them) and erasure checks run every second. At the end
the archive must equal the world, no channel may ever have been suspected of erasure, and the
daemon must still be running. The same again, for fewer rounds, with Telegram's request quotas
and a network with latency and bandwidth turned on. Run with ``-s`` to see how many faults were
injected.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import archive_sql
import pytest
from telegram_model import IDEAL, LIMITED, TelegramModel
from waiting import poll_until, wait_for

from archiver.simulator import ChannelSpec, World, generate_world

FAULT_RATE = 0.3
ROUNDS = {IDEAL.name: 30, LIMITED.name: 25}
CHANGES = {IDEAL.name: 50, LIMITED.name: 30}  # edits (and deletions) at least; backfill is slower
CHANNELS = [
    ChannelSpec("faulty_ru", "Faulty ru", lang="ru", posts=500, media=False),
    ChannelSpec("faulty_ar", "Faulty ar", lang="ar", posts=300, media=False),
    ChannelSpec("faulty_media", "Faulty media", lang="en", posts=150, media=True),
]


def _setup(cli, tmp_path: Path, database: str) -> World:
    world = generate_world(tmp_path / "world.sqlite", seed=11, channels=CHANNELS)
    refs = "".join(f'[[channels]]\nref = "@{c.username}"\n' for c in CHANNELS)
    (tmp_path / "tgmirror.toml").write_text(
        f'[simulator]\nworld = "world.sqlite"\n[storage]\ndata_dir = "data"\n{database}'
        "[archive]\nhistory_page_delay = 0.02\npoll_interval = 1\nreconcile_interval = 2\n"
        "erasure_check_interval = 1\nerasure_confirmations = 2\n"
        '[live]\nfollow = "join"\n' + refs
    )
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    return world


def _daemon(tmp_path: Path, log: IO[str]) -> subprocess.Popen:
    """``tgmirror run`` writing to a file: a warning per fault could fill a pipe and block it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    script = Path(sys.executable).parent / "tgmirror"
    return subprocess.Popen(
        [str(script), "run", "--no-web"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


class Archive:
    """Read-only looks at the daemon's database, through its URL."""

    def __init__(self, url: str) -> None:
        self.url = url

    def messages(self, channel_id: int) -> dict[int, tuple[str, int | None]]:
        rows = archive_sql.rows(
            self.url,
            "SELECT msg_id, text, deleted_at FROM messages WHERE channel_id = :channel",
            channel=channel_id,
        )
        return {msg_id: (text, deleted_at) for msg_id, text, deleted_at in rows}

    def revisions(self, channel_id: int, msg_id: int) -> list[str]:
        return archive_sql.column(
            self.url,
            "SELECT r.text FROM message_revisions r JOIN messages m ON m.id = r.message_id"
            " WHERE m.channel_id = :channel AND m.msg_id = :msg_id",
            channel=channel_id,
            msg_id=msg_id,
        )

    def media_not_stored(self, channel_id: int) -> int:
        return archive_sql.value(
            self.url,
            "SELECT COUNT(*) FROM message_media mm JOIN messages m ON m.id = mm.message_id"
            " WHERE m.channel_id = :channel AND m.deleted_at IS NULL"
            " AND mm.status NOT IN ('stored', 'skipped')",
            channel=channel_id,
        )


def _followed(world: World) -> list[int]:
    return [world.channel_id(c.username) for c in CHANNELS]


def _differences(world: World, archive: Archive, edited: dict[tuple[int, int], str]) -> list[str]:
    """Everything in which the archive differs from the world (empty: they are equal)."""
    out = []
    for ch in _followed(world):
        stored = archive.messages(ch)
        truth = {m["msg_id"]: m for m in world.messages(ch)}
        if missing := sorted(set(truth) - set(stored)):
            out.append(f"channel {ch}: {len(missing)} messages missing, e.g. {missing[:5]}")
        for msg_id, m in truth.items():
            text, deleted_at = stored.get(msg_id, (None, None))
            if msg_id not in stored:
                continue
            if m["deleted"] and deleted_at is None:
                out.append(f"{ch}/{msg_id}: deleted on Telegram, no tombstone")
            elif not m["deleted"] and (deleted_at is not None or text != m["text"]):
                out.append(f"{ch}/{msg_id}: archived {text!r} (deleted_at={deleted_at})")
        for (edited_ch, msg_id), old in edited.items():
            if edited_ch == ch and old not in archive.revisions(ch, msg_id):
                out.append(f"{ch}/{msg_id}: edited, but no revision keeps {old!r}")
        if waiting := archive.media_not_stored(ch):
            out.append(f"channel {ch}: {waiting} media files not stored")
    return out


def _change_the_world(
    world: World, archive: Archive, rng: random.Random, edited: dict, deleted: set, n: int
) -> None:
    """One round of activity per channel: posts, an edit and a deletion of archived posts (not
    service messages, which have no text to edit), each sometimes announced by a live update
    and sometimes not."""
    for ch in _followed(world):
        world.post(ch, text=f"live post {n}", push=True)
        world.post(ch, text=f"quiet post {n}", push=False)
        posts = {m["msg_id"]: m["text"] for m in world.messages(ch) if m["action"] is None}
        archived = [
            i
            for i, (_, gone) in archive.messages(ch).items()
            if gone is None and i in posts and (ch, i) not in deleted | edited.keys()
        ]
        if len(archived) < 2:
            continue
        target, victim = rng.sample(archived, 2)
        edited[(ch, target)] = posts[target]
        world.edit(ch, target, text=f"edited in round {n}", push=n % 2 == 0)
        deleted.add((ch, victim))
        world.delete(ch, [victim], push=n % 2 == 1)


@pytest.mark.slow
@pytest.mark.parametrize("telegram", [IDEAL, LIMITED], ids=lambda m: m.name)
def test_random_rpc_faults_never_erase_and_lose_nothing(
    cli, cli_db, tmp_path: Path, telegram: TelegramModel
) -> None:
    world = _setup(cli, tmp_path, cli_db.setting)
    telegram.apply(world)
    world.set_random_faults(FAULT_RATE, seed=8, lost_delay=1.0)
    log = (tmp_path / "run.log").open("w")
    proc = _daemon(tmp_path, log)
    edited: dict[tuple[int, int], str] = {}
    deleted: set[tuple[int, int]] = set()
    rng = random.Random(8)
    try:
        archive = Archive(cli_db.url)
        # The rounds start once the daemon has archived posts in every channel: they change
        # archived posts, and on a busy machine (or beside another xdist worker) its start-up
        # alone can outlast a third of the rounds, which would then change nothing.
        wait_for(
            lambda: all(len(archive.messages(ch)) >= 10 for ch in _followed(world)),
            120,
            every=0.5,
            what="the daemon archived no post in some channel",
        )
        for n in range(ROUNDS[telegram.name]):
            _change_the_world(world, archive, rng, edited, deleted, n)
            time.sleep(1)
        poll_until(lambda: not _differences(world, archive, edited), 240, every=1)
        diff = _differences(world, archive, edited)
        still_running = proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    out = (tmp_path / "run.log").read_text()
    assert proc.returncode != -signal.SIGKILL, "not stopped 60 s after SIGTERM:\n" + out[-3000:]
    faults = world.injected_faults()
    answers = world.answers_under_faults()
    print(f"\n{sum(faults.values())} faults injected in {answers} answers: {faults}")
    print(telegram.report(world))
    assert still_running, out[-3000:]
    assert proc.returncode == 0 and "Traceback" not in out, out[-3000:]
    assert diff == [], (diff[:20], out[-3000:])
    statuses = archive_sql.column(cli_db.url, "SELECT DISTINCT status FROM channels")
    events = set(archive_sql.column(cli_db.url, "SELECT kind FROM events"))
    assert statuses == ["active"]
    assert not events & {"suspect", "erased"}, events
    least = CHANGES[telegram.name]
    assert len(edited) >= least and len(deleted) >= least, (len(edited), len(deleted))
    assert set(faults) == {"RPC_CALL_FAIL", "INTERNAL", "TIMEOUT", "FLOOD_WAIT", "LOST"}
