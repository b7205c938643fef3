"""``tgmirror export REF --format wacz``: the archive passes ``wacz validate``, and pywb,
started on loopback with it, replays a post page and an image under the mirror's own URLs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

BASE = "http://mirror.example"
BIN = Path(sys.executable).parent


@pytest.fixture
def exported(cli, archive_copy, tmp_path) -> Path:
    conf = tmp_path / "tgmirror.toml"
    conf.write_text(f'[web]\nbase_url = "{BASE}"\n[storage]\n{archive_copy["storage_toml"]}')
    result = cli("export", "@svobodnye_vesti", "--format", "wacz", "--out", "ru.wacz")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Exported " in result.stdout and "ru.wacz" in result.stdout
    return tmp_path / "ru.wacz"


def _records(wacz: Path) -> list[tuple[str, str, str, bytes]]:
    """(type, target URI, WARC-Date, payload) of every record in the WACZ's WARCs."""
    out = []
    with zipfile.ZipFile(wacz) as z:
        for name in z.namelist():
            if name.startswith("archive/"):
                with z.open(name) as stream:
                    for r in ArchiveIterator(stream):
                        h = r.rec_headers
                        out.append(
                            (
                                r.rec_type,
                                h.get_header("WARC-Target-URI"),
                                h.get_header("WARC-Date"),
                                r.content_stream().read(),
                            )
                        )
    return out


@pytest.mark.sqlite_only  # the file is the same on both backends
def test_wacz_validates_and_names_the_mirror_not_telegram(exported) -> None:
    check = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(exported)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    records = _records(exported)
    responses = [r for r in records if r[0] == "response"]
    assert responses and all(r[1].startswith(BASE + "/") for r in responses)
    assert not any("t.me" in r[1] for r in records)
    assert all(r[1].startswith("urn:tgmirror:capture:") for r in records if r[0] == "metadata")
    assert any("/media/" in r[1] for r in responses)
    metadata = [json.loads(r[3]) for r in records if r[0] == "metadata"]
    assert metadata and all(
        m["telegram_url"].startswith("https://t.me/svobodnye_vesti/") for m in metadata
    )
    # one metadata record per capture, dated with that capture's own time
    for r in records:
        if r[0] == "metadata":
            body = json.loads(r[3])["capture"]
            at = body.get("captured_at") or body.get("deleted_at")
            assert r[2] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pywb(exported, tmp_path) -> Iterator[str]:
    root = tmp_path / "pywb"
    root.mkdir()
    for args in (["init", "mirror"], ["add", "--unpack-wacz", "mirror", str(exported)]):
        done = subprocess.run(
            [str(BIN / "wb-manager"), *args], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait until it answers (start-up, not a timed assertion)
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _stamp(warc_date: str) -> str:
    return warc_date.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")


@pytest.mark.sqlite_only
def test_pywb_replays_a_post_page_and_its_image(exported, pywb) -> None:
    records = [r for r in _records(exported) if r[0] == "response"]
    image = next(r for r in records if "/media/" in r[1])
    path = image[1].removeprefix(BASE)
    page = next(r for r in records if "/media/" not in r[1] and path.encode() in r[3])
    replayed = httpx.get(f"{pywb}/mirror/{_stamp(page[2])}id_/{page[1]}", timeout=30)
    assert replayed.status_code == 200
    assert replayed.content == page[3]
    replayed = httpx.get(f"{pywb}/mirror/{_stamp(image[2])}id_/{image[1]}", timeout=30)
    assert replayed.status_code == 200
    assert replayed.content == image[3]
    assert replayed.headers["content-type"].startswith("image/")
    # the framed replay of the page points its image at the replayed copy
    framed = httpx.get(f"{pywb}/mirror/{_stamp(page[2])}mp_/{page[1]}", timeout=30)
    assert framed.status_code == 200
    assert (
        f"/mirror/{_stamp(page[2])}im_/{image[1]}" in framed.text
        or f"/mirror/{_stamp(page[2])}im_/{path}" in framed.text
    ), framed.text[:3000]
