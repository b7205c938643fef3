"""Hostile exports given to ``tgmirror import``: oversized JSON, zip bombs, damaged zips, paths
out of the export. Each is refused in one line or read safely, in bounded memory, and a
refused chat leaves nothing behind."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import archive_sql
import pytest

from archiver.importers.export_limits import MAX_ZIP_ENTRIES

RSS_BOUND_MB = 400  # the CLI alone peaks near 120 MB
HEAD = '{"name": "Big", "type": "public_channel", "id": 4242, "messages": ['
FIRST = '{"id": 1, "type": "message", "date_unixtime": "1704103200", "text": "small"},'
LAST = '{"id": 3, "type": "message", "date_unixtime": "1704103320", "text": "after"}]}'
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def import_measured(
    cli, cli_db, tmp_path: Path, target: Path
) -> tuple[subprocess.CompletedProcess, float]:
    """``tgmirror import target`` in a small parent that reports the child's peak RSS (MB); a
    parent as big as pytest would lend the child its pages until exec."""
    (tmp_path / "tgmirror.toml").write_text(f'[storage]\ndata_dir = "data"\n{cli_db.setting}')
    assert cli("db", "upgrade").returncode == 0
    script = Path(sys.executable).parent / "tgmirror"
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(script), "import", str(target)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "300"},
    )
    *lines, peak = done.stderr.strip().splitlines()
    done.stderr = "\n".join(lines)
    return done, int(peak) / 1024


def archived(url: str) -> tuple[int, int]:
    channels = archive_sql.value(url, "SELECT count(*) FROM channels")
    return channels, archive_sql.value(url, "SELECT count(*) FROM messages")


def stored_bytes(tmp_path: Path) -> list[bytes]:
    media = tmp_path / "data" / "media"
    return [p.read_bytes() for p in media.rglob("*") if p.is_file()] if media.exists() else []


def refused_in_one_line(done: subprocess.CompletedProcess, phrase: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert phrase in done.stderr, done.stderr


def _write_big(path: Path, shape: str, size: int) -> None:
    with open(path, "w") as out:
        out.write(HEAD + FIRST)
        if shape == "string":
            out.write('{"id": 2, "type": "message", "date_unixtime": "1704103260", "text": "')
            for _ in range(size // (1 << 20)):
                out.write("lorem ipsum " * 87381 + "abcd")
            out.write('"},')
        elif shape == "parts":
            out.write('{"id": 2, "type": "message", "date_unixtime": "1704103260", "text": [')
            part = '{"type": "bold", "text": "abcdefghij"},'
            for _ in range(size // (len(part) * 10_000) + 1):
                out.write(part * 10_000)
            out.write('"end"]},')
        else:  # whitespace between two messages
            for _ in range(size // (1 << 20)):
                out.write(" " * (1 << 20))
        out.write(LAST)


@pytest.mark.parametrize(
    ("shape", "phrase"),
    [
        ("string", "message 2 near byte"),
        ("parts", "message 2 near byte"),
        ("whitespace", "a value near byte"),
    ],
)
def test_a_100_mb_message_is_refused_in_one_line_and_bounded_memory(
    cli, cli_db, tmp_path: Path, shape: str, phrase: str
) -> None:
    (tmp_path / "exp").mkdir()
    _write_big(tmp_path / "exp" / "result.json", shape, 100 << 20)
    assert (tmp_path / "exp" / "result.json").stat().st_size > 100 << 20
    done, peak_mb = import_measured(cli, cli_db, tmp_path, tmp_path / "exp")
    refused_in_one_line(done, phrase)
    assert "more than 8 MB of JSON" in done.stderr
    print(f"100 MB {shape}: refused, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < RSS_BOUND_MB
    assert archived(cli_db.url) == (0, 0)


def _zip_with_export(path: Path, extra: dict[str, bytes], files: dict[str, str] | None = None):
    messages = [
        {
            "id": i + 1,
            "type": "message",
            "date_unixtime": "1704103200",
            "text": name,
            "file": name,
            "media_type": "video_file",
            "mime_type": "video/mp4",
        }
        for i, name in enumerate(files or {})
    ]
    data = {"name": "Z", "type": "public_channel", "id": 99, "messages": messages}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ChatExport/result.json", json.dumps(data))
        for name, content in extra.items():
            z.writestr(name, content)


def _zero_member(path: Path, name: str, size: int) -> None:
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
        z.open(name, "w", force_zip64=True) as member,
    ):
        for _ in range(size >> 24):
            member.write(bytes(1 << 24))


def _copy_central_entry(path: Path, name: str, copies: int) -> None:
    """Point ``copies`` more central-directory entries at ``name``'s data (an overlapping
    zip bomb: declared sizes add up, the bytes are stored once)."""
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    central = bytes(data[cd_offset : cd_offset + cd_size])
    at = central.find(b"PK\x01\x02")
    entries, entry = [], None
    while at >= 0:
        n, m, k = struct.unpack_from("<HHH", central, at + 28)
        record = central[at : at + 46 + n + m + k]
        if record[46 : 46 + n].decode() == name:
            entry = record
        entries.append(record)
        at = central.find(b"PK\x01\x02", at + 46 + n + m + k)
    assert entry is not None
    clones = [
        entry.replace(name.encode(), f"{name[:-6]}{i:02d}.mp4".encode()) for i in range(copies)
    ]
    new_central = b"".join(entries + clones)
    tail = struct.pack(
        "<4s4H2IH",
        b"PK\x05\x06",
        0,
        0,
        count + copies,
        count + copies,
        len(new_central),
        cd_offset,
        0,
    )
    path.write_bytes(bytes(data[:cd_offset]) + new_central + tail)


def _bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.zip"
    _zip_with_export(path, {})
    _zero_member(path, "ChatExport/video.mp4", 320 << 20)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_read(cli, cli_db, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path)
    done, peak_mb = import_measured(cli, cli_db, tmp_path, bomb)
    refused_in_one_line(done, "looks like a zip bomb")
    assert "would expand to 320 MB" in done.stderr
    print(f"zip bomb {bomb.stat().st_size} B -> 320 MB: refused, peak RSS {peak_mb:.0f} MB")
    assert archived(cli_db.url) == (0, 0) and stored_bytes(tmp_path) == []


def test_an_overlapping_zip_bomb_of_many_gb_is_refused(cli, cli_db, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path)
    _copy_central_entry(bomb, "ChatExport/video.mp4", 30)  # 31 x 320 MB declared
    done, peak_mb = import_measured(cli, cli_db, tmp_path, bomb)
    assert peak_mb < RSS_BOUND_MB
    refused_in_one_line(done, "looks like a zip bomb")
    assert "would expand to 9.7 GB" in done.stderr
    assert archived(cli_db.url) == (0, 0) and stored_bytes(tmp_path) == []


def test_a_zip_of_too_many_entries_is_refused_before_listing_it(
    cli, cli_db, tmp_path: Path
) -> None:
    many = tmp_path / "many.zip"
    _zip_with_export(many, {})
    with zipfile.ZipFile(many, "a") as z:
        for i in range(MAX_ZIP_ENTRIES):
            z.writestr(str(i), b"")
    done, peak_mb = import_measured(cli, cli_db, tmp_path, many)
    refused_in_one_line(done, f"this zip has {MAX_ZIP_ENTRIES + 1:,} entries")
    assert "unzip it and import the folder" in done.stderr
    print(f"zip of {MAX_ZIP_ENTRIES + 1:,} entries: refused, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < RSS_BOUND_MB
    assert archived(cli_db.url) == (0, 0)


def test_a_nested_zip_is_stored_as_a_file_and_never_opened(cli, cli_db, tmp_path: Path) -> None:
    inner = _bomb(tmp_path).read_bytes()
    outer = tmp_path / "outer.zip"
    _zip_with_export(outer, {"ChatExport/files/inner.zip": inner}, {"files/inner.zip": "zip"})
    done, peak_mb = import_measured(cli, cli_db, tmp_path, outer)
    assert done.returncode == 0, done.stderr
    assert peak_mb < RSS_BOUND_MB
    assert "1 messages, 1 files" in done.stdout
    assert stored_bytes(tmp_path) == [inner]


def test_a_damaged_or_encrypted_zip_is_one_line(cli, cli_db, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    _zip_with_export(damaged, {})
    data = bytearray(damaged.read_bytes())
    start = data.find(b"ChatExport/result.json") + len("ChatExport/result.json")
    data[start + 5 : start + 40] = b"\xff" * 35
    damaged.write_bytes(bytes(data))
    done, _ = import_measured(cli, cli_db, tmp_path, damaged)
    refused_in_one_line(done, "the zip is damaged or unreadable")
    locked = tmp_path / "locked.zip"
    _zip_with_export(locked, {})
    data = bytearray(locked.read_bytes())
    for sig, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        data[at + flags_at] |= 0x1  # the "encrypted" flag, as a password-protected zip has
    locked.write_bytes(bytes(data))
    done, _ = import_measured(cli, cli_db, tmp_path, locked)
    refused_in_one_line(done, "this zip is encrypted")
    assert archived(cli_db.url) == (0, 0)


SECRET = b"%PDF-secret bytes outside the export"
EVIL_PATHS = [
    "{outside}/secret.pdf",
    "../secret.pdf",
    "photos/../../secret.pdf",
    "..\\secret.pdf",
    "photos\\..\\..\\secret.pdf",
    "%2e%2e/secret.pdf",
    "photos/link.pdf",
    "linked/secret.pdf",
    "photos/ok.pdf\x00/../../../secret.pdf",
    "//secret.pdf",
    "photos/../../../../../../secret.pdf",
]


def test_paths_out_of_a_folder_export_are_never_read(cli, cli_db, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(SECRET)
    (tmp_path / "secret.pdf").write_bytes(SECRET)
    export = tmp_path / "deep" / "exp"
    (export / "photos").mkdir(parents=True)
    (export / "photos" / "ok.pdf").write_bytes(b"%PDF-inside")
    (export / "photos" / "link.pdf").symlink_to(outside / "secret.pdf")
    (export / "linked").symlink_to(outside)
    paths = [p.format(outside=outside) for p in EVIL_PATHS] + ["photos/ok.pdf"]
    messages = [
        {
            "id": i + 1,
            "type": "message",
            "date_unixtime": "1704103200",
            "text": path,
            "file": path,
            "mime_type": "application/pdf",
        }
        for i, path in enumerate(paths)
    ]
    data = {"name": "P", "type": "public_channel", "id": 5, "messages": messages}
    (export / "result.json").write_text(json.dumps(data))
    done, _ = import_measured(cli, cli_db, tmp_path, export)
    assert done.returncode == 0, done.stderr
    assert f"{len(paths)} messages, 1 files, {len(EVIL_PATHS)} files not included" in done.stdout
    assert stored_bytes(tmp_path) == [b"%PDF-inside"]


def test_paths_out_of_a_zip_export_are_never_read(cli, cli_db, tmp_path: Path) -> None:
    export = tmp_path / "slip.zip"
    names = ["../secret.pdf", "/secret.pdf", "..\\secret.pdf", "files/../../secret.pdf"]
    _zip_with_export(
        export,
        {"secret.pdf": SECRET, "/secret.pdf": SECRET, "ChatExport/../secret.pdf": SECRET},
        dict.fromkeys(names, "evil"),
    )
    done, _ = import_measured(cli, cli_db, tmp_path, export)
    assert done.returncode == 0, done.stderr
    assert "4 messages, 0 files, 4 files not included" in done.stdout
    assert stored_bytes(tmp_path) == []
    assert not (tmp_path.parent / "secret.pdf").exists()


@pytest.mark.parametrize(
    ("text", "phrase"),
    [(b'"a\xff\xfeb"', "invalid bytes in UTF8"), (b'"a\\udc00"', "is not valid Unicode")],
)
def test_text_that_is_not_unicode_is_one_line(cli, cli_db, tmp_path: Path, text, phrase) -> None:
    """(yajl reads a lone high surrogate escape as "?"; a lone low one is an error.)"""
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "result.json").write_bytes(
        HEAD.encode() + b'{"id": 1, "date_unixtime": "1", "text": ' + text + b"}]}"
    )
    done, _ = import_measured(cli, cli_db, tmp_path, tmp_path / "exp")
    refused_in_one_line(done, phrase)
    assert archived(cli_db.url) == (0, 0)
