"""A configuration whose channels are all read from t.me/s needs no [telegram] section, no API
keys and no login: `tgmirror sync`, `run`, `serve` and `export` just work, and the daemon
follows the channel (new posts, edits as revisions, deletions as tombstones after the
confirmations, the channel's erasure with how t.me showed it). Channels that need Telegram
without API keys get one clear line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import archive_sql
import httpx
from waiting import http_status, wait_for

from archiver.simulator import Photo, World
from archiver.simulator.media_files import png_gradient
from archiver.simulator.web_preview import serve_web
from archiver.tme.follow import web_channel_id

CONFIG = """\
[storage]
data_dir = "data"
{database}[web_preview]
base_url = "{base_url}"
rate = 50.0

[archive]
poll_interval = 1
erasure_confirmations = 2
erasure_check_interval = 1
reconcile_interval = 1

[web]
port = {port}
publish = "all"

[[channels]]
ref = "@daily"
source = "web"
"""
CHANNEL = web_channel_id("daily")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "tgmirror"), *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out


def _one(url: str, sql: str) -> object:
    found = archive_sql.rows(url, sql, c=CHANNEL)
    return found[0][0] if found else None


def _run_follows_the_channel(tmp_path: Path, url: str, world: World, ch: int) -> None:
    """`tgmirror run`: a new post, an edit (a revision), a deletion (a tombstone once
    confirmed), then the channel deleted (erased, from t.me alone)."""
    daemon = _start(tmp_path, "run")
    try:
        world.post(ch, "post 31", push=False)
        world.edit(ch, 5, "post 4, corrected", push=False)
        world.delete(ch, [7], push=False)
        count = "SELECT count(*) FROM messages WHERE channel_id = :c"
        wait_for(lambda: _one(url, count) == 32, 90, what="run stored the new post")
        revisions = (
            "SELECT count(*) FROM message_revisions r JOIN messages m ON m.id = r.message_id"
            " WHERE m.channel_id = :c AND m.msg_id = 5"
        )
        wait_for(lambda: _one(url, revisions) == 1, 90, what="the edit became a revision")
        how = "SELECT deleted_how FROM messages WHERE channel_id = :c AND msg_id = 7"
        wait_for(lambda: _one(url, how) == "web", 90, what="the deletion became a tombstone")
        world.delete_channel(ch)
        status = "SELECT status FROM channels WHERE id = :c"
        wait_for(lambda: _one(url, status) == "erased", 90, what="the erasure was established")
    finally:
        code, out = _stop(daemon)
    assert code == 0, out
    assert "Traceback" not in out


def _serve_shows_it(tmp_path: Path, port: int) -> None:
    server = _start(tmp_path, "serve")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: http_status(base + "/") == 200, 60, what="serve never answered")
        page = httpx.get(f"{base}/daily", timeout=30)
        post = httpx.get(f"{base}/daily/5", timeout=30)
        gone = httpx.get(f"{base}/daily/7", timeout=30)
    finally:
        _, out = _stop(server)
    assert page.status_code == 200 and "post 20" in page.text
    assert (
        "Established from:" in page.text and "t.me has no page for the name any more" in page.text
    )
    assert post.status_code == 200 and "post 4, corrected" in post.text
    assert gone.status_code == 200 and "This post was deleted" in gone.text
    assert "Traceback" not in out


def _exports(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for fmt, out in (("tdesktop", "td"), ("jsonl", "jl"), ("html", "site")):
        done = cli("export", "@daily", "--out", out, "--format", fmt)
        assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "td" / "result.json").read_text(encoding="utf-8"))
    assert len(result["messages"]) == 32
    lines = [
        json.loads(x)
        for f in (tmp_path / "jl").rglob("*.jsonl")
        for x in f.read_text(encoding="utf-8").splitlines()
    ]
    assert {line.get("text") for line in lines} >= {"post 0", "post 4, corrected", "post 31"}
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "post 31" in index


def test_an_all_web_config_syncs_runs_serves_and_exports(cli, cli_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily news")
    for n in range(30):
        world.post(ch, f"post {n}", views=1500 + n, push=False)
    picture = png_gradient(64, 48, seed=5)
    world.post(ch, "", media=Photo(picture), push=False)
    port = _free_port()
    with serve_web(world.path) as app:
        config = CONFIG.format(database=cli_db.setting, base_url=app.state.base_url, port=port)
        (tmp_path / "tgmirror.toml").write_text(config, encoding="utf-8")
        assert not (tmp_path / "data" / "tgmirror.session").exists()
        assert cli("db", "upgrade").returncode == 0
        synced = cli("sync")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert "Daily news: done: 31 new messages" in synced.stdout
        _run_follows_the_channel(tmp_path, cli_db.url, world, ch)
    assert not list((tmp_path / "data").glob("*.session"))  # never logged in
    _serve_shows_it(tmp_path, port)
    _exports(tmp_path, cli)


def test_channels_read_from_telegram_without_api_keys_get_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "tgmirror.toml").write_text(
        '[storage]\ndata_dir = "data"\n\n[[channels]]\nref = "@daily"\nsource = "web"\n\n'
        '[[channels]]\nref = "@other"\nsource = "telegram"\n',
        encoding="utf-8",
    )
    assert cli("db", "upgrade").returncode == 0
    for args in (("sync",), ("run",), ("add", "--source", "both", "@third")):
        done = cli(*args)
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert len(errors) == 1, done.stderr
        assert 'source = "web"' in errors[0] and "[telegram]" in errors[0]
    assert "@other is read from Telegram" in cli("sync").stderr
