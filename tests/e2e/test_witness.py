"""Two mirrors on loopback: one (``tgmirror serve``) is witnessed by the other
(``tgmirror witness URL``); the witnessed mirror serves the cosignature it received, and
when it rewrites a past capture and re-signs, the witness reports it in one line and exits 1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import archive_sql
import httpx
import pytest

from archiver.db.engine import open_engine
from archiver.evidence.canonical import leaf_hash
from archiver.evidence.signing import sign_new_head

BIN = Path(sys.executable).parent


async def _sign(config, now: int) -> None:
    engine = open_engine(config.database_url)
    try:
        await sign_new_head(engine, config.storage.data_dir, now)
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mirror(archive_copy, tmp_path) -> Iterator[str]:
    """The archive copy served on loopback (mirror A), with a signed head."""
    import asyncio

    asyncio.run(_sign(archive_copy["config"], 1_750_000_000))
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "tgmirror.toml").write_text(f"[storage]\n{archive_copy['storage_toml']}")
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "tgmirror"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait for start-up (not a timed assertion)
            try:
                if httpx.get(url + "/.well-known/tgmirror/key", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert server.poll() is None
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def witness_dir(tmp_path, cli) -> Path:
    """Mirror B: its own empty archive and key, the witness."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "tgmirror.toml").write_text(f'[storage]\ndata_dir = "{folder / "data"}"\n')
    created = cli("db", "upgrade", cwd=folder)
    assert created.returncode == 0, created.stdout + created.stderr
    return folder


@pytest.mark.sqlite_only  # the mirror under test is served from its SQLite copy
def test_witness_cosigns_then_catches_a_rewritten_capture(
    archive_copy, mirror, witness_dir, cli
) -> None:
    first = cli("witness", mirror, cwd=witness_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "first head seen; cosigned." in first.stdout
    again = cli("witness", mirror + "/", cwd=witness_dir)
    assert again.returncode == 0 and "consistent with the head of" in again.stdout

    served = httpx.get(mirror + "/.well-known/tgmirror/cosignatures").json()
    assert len(served) == 1 and served[0]["origin"] == mirror
    _bundle_holds_the_cosignature(archive_copy, mirror, witness_dir.parent, cli)

    url = archive_copy["config"].database_url
    seq, leaf = archive_sql.one(
        url, "SELECT seq, leaf FROM evidence_log WHERE type = 'post' ORDER BY seq LIMIT 1"
    )
    forged = leaf.replace('"text":"', '"text":"[edited] ', 1)
    assert forged != leaf
    archive_sql.rows(
        url,
        "UPDATE evidence_log SET leaf = :l, leaf_hash = :h WHERE seq = :s",
        l=forged,
        h=leaf_hash(forged.encode()),
        s=seq,
    )
    archive_sql.rows(url, "DELETE FROM evidence_heads")
    import asyncio

    asyncio.run(_sign(archive_copy["config"], 1_750_000_100))

    caught = cli("witness", mirror, cwd=witness_dir)
    assert caught.returncode == 1
    lines = caught.stdout.strip().splitlines()
    assert len(lines) == 1, caught.stdout
    assert lines[0].startswith(f"problem: {mirror}: history rewritten")
    assert "Traceback" not in caught.stderr


def _bundle_holds_the_cosignature(archive: dict, mirror: str, folder: Path, cli) -> None:
    """The mirror's evidence bundle carries the cosignature; verify-bundle checks it offline,
    and a changed cosignature fails the bundle."""
    import zipfile

    from archiver.evidence.bundle_check import check_bundle

    url = archive["config"].database_url
    channel, msg_id = archive_sql.one(
        url, "SELECT channel_id, min(msg_id) FROM messages GROUP BY channel_id"
    )
    data = httpx.get(f"{mirror}/{channel}/{msg_id}/evidence.zip", follow_redirects=True).content
    bundle = folder / "cosigned.zip"
    bundle.write_bytes(data)
    members = {
        i.filename: zipfile.ZipFile(bundle).read(i) for i in zipfile.ZipFile(bundle).infolist()
    }
    assert "cosignatures/1.json" in members
    checked = cli("verify-bundle", str(bundle))
    assert checked.returncode == 0 and "cosigned by witness key: " in checked.stdout, checked.stdout
    changed = folder / "changed.zip"
    with zipfile.ZipFile(changed, "w") as zout:
        for name, body in members.items():
            if name == "cosignatures/1.json":
                body = body.replace(b'"witnessed_at": ', b'"witnessed_at": 1')
            zout.writestr(name, body)
    assert any("cosignatures/1.json" in p for p in check_bundle(changed).problems)


def test_a_bad_address_is_one_line(witness_dir, cli) -> None:
    result = cli("witness", "mirror.example", cwd=witness_dir)
    assert result.returncode == 1
    assert "give the mirror's address" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.sqlite_only
def test_a_rewrite_hidden_in_a_grown_log_fails_the_consistency_proof(
    archive_copy, mirror, witness_dir, cli
) -> None:
    assert cli("witness", mirror, cwd=witness_dir).returncode == 0
    url = archive_copy["config"].database_url
    size = archive_sql.value(url, "SELECT count(*) FROM evidence_log")
    seq, leaf = archive_sql.one(
        url, "SELECT seq, leaf FROM evidence_log WHERE type = 'post' ORDER BY seq DESC LIMIT 1"
    )
    forged = leaf.replace('"text":"', '"text":"[edited] ', 1)
    assert forged != leaf
    archive_sql.rows(
        url,
        "UPDATE evidence_log SET leaf = :l, leaf_hash = :h WHERE seq = :s",
        l=forged,
        h=leaf_hash(forged.encode()),
        s=seq,
    )
    # then a new capture is appended and a head of the grown log is signed, as usual
    archive_sql.rows(
        url,
        "INSERT INTO evidence_log (seq, type, channel_id, msg_id, captured_at,"
        " leaf, leaf_hash) SELECT :n, type, channel_id, msg_id, captured_at, leaf,"
        " leaf_hash FROM evidence_log WHERE seq = 0",
        n=size,
    )
    import asyncio

    asyncio.run(_sign(archive_copy["config"], 1_750_000_200))
    caught = cli("witness", mirror, cwd=witness_dir)
    assert caught.returncode == 1
    assert caught.stdout.strip() == (
        f"problem: {mirror}: history rewritten: the head of {size + 1} captures does not extend"
        f" the witnessed head of {size} (a capture before #{size} was changed)"
    )


@pytest.mark.sqlite_only
async def test_the_daemon_loop_witnesses_the_configured_mirrors(mirror, witness_dir) -> None:
    import asyncio

    from archiver.config import load_config
    from archiver.evidence.witness_run import keep_witnessing

    config = load_config(witness_dir / "tgmirror.toml")
    stopping = asyncio.Event()

    def clock() -> float:
        stopping.set()  # one round, then stop
        return 1_750_000_300.0

    engine = open_engine(config.database_url)
    try:
        await keep_witnessing(engine, config.storage.data_dir, (mirror,), 3600, stopping, clock)
    finally:
        await engine.dispose()
    made = archive_sql.rows(
        config.database_url, "SELECT origin, witnessed_at FROM evidence_cosignatures"
    )
    assert made == [(mirror, 1_750_000_300)]
    served = httpx.get(mirror + "/.well-known/tgmirror/cosignatures").json()
    assert [c["witnessed_at"] for c in served] == [1_750_000_300]
