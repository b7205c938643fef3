"""Evidence bundles: one taken from the mirror verifies offline with `tgmirror verify-bundle`,
and changing, adding or removing any file inside makes it fail."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from archiver.db.engine import open_engine
from archiver.evidence.bundle_check import check_bundle
from archiver.evidence.signing import sign_new_head
from tests.web.conftest import make_client


async def _signed(archive: dict) -> None:
    config = archive["config"]
    engine = open_engine(config.database_url)
    try:
        await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    finally:
        await engine.dispose()


async def _media_post(archive: dict) -> tuple[str, int]:
    """A post of the public (erased) Russian channel that has a stored photo."""
    from archive_sql import one

    url = archive["config"].database_url
    found = one(
        url,
        "SELECT m.msg_id FROM messages m JOIN message_media f ON f.message_id = m.id"
        " WHERE m.channel_id = :ru AND f.sha256 IS NOT NULL ORDER BY m.msg_id",
        ru=archive["ru"],
    )
    assert found is not None
    return str(archive["ru"]), found[0]


def _rewrite(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        members = {i.filename: zin.read(i) for i in zin.infolist()}
        for name, data in change(members).items():
            zout.writestr(name, data)


async def test_bundle_from_the_web_verifies_offline(archive_copy, cli, tmp_path) -> None:
    await _signed(archive_copy)
    channel, msg_id = await _media_post(archive_copy)
    async with make_client(archive_copy["config"]) as client:
        page = await client.get(f"/{channel}/{msg_id}", follow_redirects=True)
        response = await client.get(f"/{channel}/{msg_id}/evidence.zip", follow_redirects=True)
    assert f'href="/svobodnye_vesti/{msg_id}/evidence.zip" download>Evidence</a>' in page.text
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    bundle = tmp_path / "post.zip"
    bundle.write_bytes(response.content)
    names = zipfile.ZipFile(bundle).namelist()
    assert any(n.startswith("media/") for n in names)
    assert any(n.startswith("captures/") for n in names) and "key.pem" in names
    result = cli("verify-bundle", str(bundle))
    assert result.returncode == 0, result.stdout
    assert " 0 problems" in result.stdout


def _flip(data: bytes) -> bytes:
    return data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]


@pytest.mark.sqlite_only  # the bundle is the same file on both backends
async def test_any_change_inside_the_bundle_fails(archive_copy, cli, tmp_path) -> None:
    await _signed(archive_copy)
    channel, msg_id = await _media_post(archive_copy)
    async with make_client(archive_copy["config"]) as client:
        url = f"/{channel}/{msg_id}/evidence.zip"
        data = (await client.get(url, follow_redirects=True)).content
    bundle = tmp_path / "post.zip"
    bundle.write_bytes(data)
    names = zipfile.ZipFile(bundle).namelist()
    changes = [(n, lambda m, n=n: {**m, n: _flip(m[n])}) for n in names]
    changes.append(("extra", lambda m: {**m, "notes.txt": b"hi"}))
    changes += [(f"-{n}", lambda m, n=n: {k: v for k, v in m.items() if k != n}) for n in names]
    for label, change in changes:
        target = tmp_path / f"changed-{len(label)}.zip"
        _rewrite(bundle, target, change)
        assert check_bundle(target).problems, label  # what `tgmirror verify-bundle` runs
    result = cli("verify-bundle", str(target))
    assert result.returncode == 1 and "problem:" in result.stdout
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.sqlite_only
async def test_docs_check_with_openssl_sha256sum_and_the_script(archive_copy, tmp_path) -> None:
    import re
    import subprocess
    import sys

    await _signed(archive_copy)
    channel, msg_id = await _media_post(archive_copy)
    async with make_client(archive_copy["config"]) as client:
        url = f"/{channel}/{msg_id}/evidence.zip"
        data = (await client.get(url, follow_redirects=True)).content
    folder = tmp_path / "post"
    zipfile.ZipFile(__import__("io").BytesIO(data)).extractall(folder)
    doc = (Path(__file__).parents[2] / "docs" / "evidence.md").read_text()
    (folder / "check_bundle.py").write_text(re.search(r"```python\n(.*?)```", doc, re.S)[1])
    openssl = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "key.pem",
        "-rawin",
        "-in",
        "head.msg",
        "-sigfile",
        "head.sig",
    ]
    assert subprocess.run(openssl, cwd=folder, capture_output=True).returncode == 0
    sums = subprocess.run(
        "sha256sum media/*", shell=True, cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    for line in sums.splitlines():
        digest, name = line.split()
        assert name == f"media/{digest}"
    script = subprocess.run(
        [sys.executable, "check_bundle.py"], cwd=folder, capture_output=True, text=True
    )
    assert script.returncode == 0, script.stderr
    assert script.stdout.startswith("capture #") and "OK:" in script.stdout
    leaf = sorted(folder.glob("captures/*.json"))[0]
    leaf.write_bytes(leaf.read_bytes().replace(b'"v":1', b'"v":2'))
    broken = subprocess.run([sys.executable, "check_bundle.py"], cwd=folder, capture_output=True)
    assert broken.returncode != 0
