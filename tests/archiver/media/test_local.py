"""The local media store: dedup, atomic commit, no escape from the root, ranged reads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from archiver.media import LocalMediaStore as MediaStore
from archiver.media import choose_mime, extension_for


def test_same_bytes_stored_once(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    a = store.put_bytes(b"hello", ".jpg")
    b = store.put_chunks([b"hel", b"lo"], ".jpg")
    assert a == b
    assert a.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert (tmp_path / "media" / a.key).read_bytes() == b"hello"
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert files == [tmp_path / "media" / a.key]


def test_aborted_write_leaves_no_file(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")

    def chunks():
        yield b"partial"
        raise RuntimeError("download broke")

    with pytest.raises(RuntimeError):
        store.put_chunks(chunks())
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("evil", ["../secret", "/etc/passwd", "ab/../../x", ""])
def test_resolve_refuses_paths_outside_the_store(tmp_path: Path, evil: str) -> None:
    assert MediaStore(tmp_path / "media").resolve(evil) is None


def test_extension_from_mime_or_safe_name() -> None:
    assert extension_for("image/jpeg") == ".jpg"
    assert extension_for(None, "report.PDF") == ".pdf"
    assert extension_for(None, "evil.p/hp") == ""


def test_sniffed_type_wins_only_where_the_bytes_prove_it(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    stored = MediaStore(tmp_path).put_bytes(png, ".png")
    assert stored.sniffed_mime == "image/png"
    assert choose_mime("image/jpeg", "image/png") == "image/png"
    assert choose_mime(None, "application/pdf") == "application/pdf"
    assert choose_mime("video/mp4", "application/gzip") == "video/mp4"
    assert choose_mime(None, None) == "application/octet-stream"


async def test_async_put_streams_a_download_and_reads_back_by_range(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")

    async def download():
        for part in (b"0123", b"4567", b"89"):
            yield part

    stored = await store.put(download(), ".bin")
    assert stored.key == f"{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}.bin"
    assert (await store.stat(stored.key)).size == 10
    assert b"".join([c async for c in store.read(stored.key, 2, 7)]) == b"23456"
    assert [o.key async for o in store.objects()] == [stored.key]
    assert await store.copy_to(stored.key, tmp_path / "out" / "x.bin") == 10
    assert await store.copy_to(stored.key, tmp_path / "out" / "x.bin") == 0  # already there
    await store.delete(stored.key)
    assert await store.stat(stored.key) is None
    assert await store.stat("../escape") is None


def test_temporaries_of_killed_writers_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    code = (
        "import sys, time; from pathlib import Path; from archiver.media import LocalMediaStore;"
        "w = LocalMediaStore(Path(sys.argv[1])).open_writer('.bin'); w.write(b'x' * 1000);"
        "print('writing', flush=True); time.sleep(60)"
    )
    killed = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE)
    alive = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE)
    try:
        assert killed.stdout.readline() == b"writing\n"
        assert alive.stdout.readline() == b"writing\n"
        killed.kill()
        killed.wait()
        parts = sorted(p.name for p in tmp_path.glob(".part-*"))
        assert len(parts) == 2
        old = tmp_path / ".part-legacy"
        old.write_bytes(b"left by an older version")
        two_hours_ago = time.time() - 7200
        os.utime(old, (two_hours_ago, two_hours_ago))
        MediaStore(tmp_path).put_bytes(b"a new file")  # the first writer of a process sweeps
        left = [p.name for p in tmp_path.glob(".part-*")]
        assert left == [n for n in parts if f".{alive.pid}-" in n]
    finally:
        alive.kill()
        alive.wait()
