"""RFC 3161 time-stamps of signed heads from a real local TSA (``openssl ts -reply``):
``tgmirror timestamp`` stores tokens that ``openssl ts -verify`` and ``tgmirror verify``
both accept, and ``verify`` fails, naming the head, when a token is changed or its TSA is
not trusted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import archive_sql
import pytest
from local_tsa import LocalTsa, local_tsa, make_ca

from archiver.db.engine import open_engine
from archiver.evidence.heads import head_message
from archiver.evidence.signing import sign_new_head
from archiver.evidence.timestamps import load_roots, token_problem


@pytest.fixture
def tsa(tmp_path) -> LocalTsa:
    with local_tsa(tmp_path / "tsa") as running:
        yield running


async def _sign(config) -> None:
    engine = open_engine(config.database_url)
    try:
        await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    finally:
        await engine.dispose()


def _configure(tmp_path: Path, archive: dict, url: str, root: Path) -> None:
    (tmp_path / "tgmirror.toml").write_text(
        f'[evidence]\ntsa_urls = ["{url}"]\ntsa_roots = ["{root}"]\n'
        f"[storage]\n{archive['storage_toml']}"
    )


async def test_tokens_verify_with_openssl_and_tgmirror(archive_copy, cli, tsa, tmp_path) -> None:
    await _sign(archive_copy["config"])
    _configure(tmp_path, archive_copy, tsa.url, tsa.root)
    result = cli("timestamp")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Stored 1 time-stamp tokens." in result.stdout
    assert "Stored 0 time-stamp tokens." in cli("timestamp").stdout  # each head once per TSA

    url = archive_copy["config"].database_url
    size, root_hash, signed_at, kid = archive_sql.one(
        url, "SELECT tree_size, root_hash, signed_at, key_id FROM evidence_heads"
    )
    token = bytes(archive_sql.value(url, "SELECT token FROM evidence_timestamps"))
    message = head_message(size, bytes(root_hash), signed_at, kid)
    (tmp_path / "head.json").write_bytes(message)
    (tmp_path / "token.tsr").write_bytes(token)
    check = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            "head.json",
            "-in",
            "token.tsr",
            "-CAfile",
            str(tsa.root),
            "-untrusted",
            str(tsa.folder / "tsa.pem"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and "Verification: OK" in check.stdout, check.stderr
    assert token_problem(token, message, load_roots((str(tsa.root),))) is None
    assert token_problem(token, message + b" ", load_roots((str(tsa.root),))) is not None

    verified = cli("verify")
    assert verified.returncode == 0, verified.stdout
    assert " 0 problems" in verified.stdout


async def test_verify_fails_on_a_changed_token_or_an_untrusted_tsa(
    archive_copy, cli, tsa, tmp_path
) -> None:
    await _sign(archive_copy["config"])
    _configure(tmp_path, archive_copy, tsa.url, tsa.root)
    assert cli("timestamp").returncode == 0
    url = archive_copy["config"].database_url
    size = archive_sql.value(url, "SELECT tree_size FROM evidence_heads")

    other = make_ca(tmp_path / "other", "Someone Else")
    _configure(tmp_path, archive_copy, tsa.url, other)
    untrusted = cli("verify")
    assert untrusted.returncode == 1
    assert f"time-stamp of the signed head of {size} captures from {tsa.url}" in untrusted.stdout
    assert "Traceback" not in untrusted.stderr

    _configure(tmp_path, archive_copy, tsa.url, tsa.root)
    token = bytearray(archive_sql.value(url, "SELECT token FROM evidence_timestamps"))
    token[-40] ^= 1  # inside the signature
    archive_sql.rows(url, "UPDATE evidence_timestamps SET token = :t", t=bytes(token))
    changed = cli("verify")
    assert changed.returncode == 1
    assert "problem: time-stamp of the signed head of" in changed.stdout
    assert "does not verify" in changed.stdout or "cannot be read" in changed.stdout


@pytest.mark.sqlite_only
async def test_the_daemon_loop_stamps_new_heads(archive_copy, tsa) -> None:
    import asyncio

    from archiver.evidence.timestamps import keep_timestamping

    config = archive_copy["config"]
    await _sign(config)
    engine = open_engine(config.database_url)
    stopping = asyncio.Event()
    try:
        task = asyncio.create_task(keep_timestamping(engine, (tsa.url,), 3600, stopping))
        for _ in range(600):  # until the first round has stored its token
            if archive_sql.value(config.database_url, "SELECT count(*) FROM evidence_timestamps"):
                break
            await asyncio.sleep(0.05)
        stopping.set()
        await task
    finally:
        await engine.dispose()
    rows = archive_sql.rows(config.database_url, "SELECT tsa_url FROM evidence_timestamps")
    assert rows == [(tsa.url,)]


@pytest.mark.sqlite_only  # the bundle is the same file on both backends
async def test_a_bundle_carries_the_token_and_verify_bundle_checks_it(
    archive_copy, cli, tsa, tmp_path
) -> None:
    import zipfile

    from archiver.evidence.bundle_check import check_bundle

    await _sign(archive_copy["config"])
    _configure(tmp_path, archive_copy, tsa.url, tsa.root)
    assert cli("timestamp").returncode == 0
    url = archive_copy["config"].database_url
    msg_id = archive_sql.value(url, "SELECT min(msg_id) FROM messages")
    channel = archive_sql.value(url, "SELECT channel_id FROM messages WHERE msg_id = :m", m=msg_id)
    bundle = tmp_path / "post.zip"
    made = cli("evidence", f"{channel}/{msg_id}", "--out", str(bundle))
    assert made.returncode == 0, made.stdout + made.stderr
    members = {
        i.filename: zipfile.ZipFile(bundle).read(i) for i in zipfile.ZipFile(bundle).infolist()
    }
    assert "timestamps/1.tsr" in members and "tsa-roots.pem" in members
    checked = cli("verify-bundle", str(bundle))
    assert checked.returncode == 0 and "time-stamped: " in checked.stdout, checked.stdout

    other = make_ca(tmp_path / "other", "Someone Else")
    untrusted = cli("verify-bundle", str(bundle), "--tsa-root", str(other))
    assert untrusted.returncode == 1 and "timestamps/1.tsr" in untrusted.stdout
    for change in (
        {**members, "timestamps/1.tsr": members["timestamps/1.tsr"][:-40] + b"\x00" * 40},
        {k: v for k, v in members.items() if k != "timestamps/1.tsr"},
    ):
        target = tmp_path / "changed.zip"
        with zipfile.ZipFile(target, "w") as zout:
            for name, data in change.items():
                zout.writestr(name, data)
        assert check_bundle(target).problems
