"""Export → import → export gives the same Desktop JSON; JSONL carries history and tombstones."""

from __future__ import annotations

import json
import time
from pathlib import Path

from archiver.db.engine import open_engine
from archiver.exporters.writer import export_channel
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore as MediaStore
from archiver.store.channels import get_channel

# Documented differences (docs/export-format.md): when the importing archive saw the post.
VOLATILE = ("first_seen_at", "captured_at")


async def _export(config, channel_id: int, out: Path, fmt: str = "tdesktop") -> Path:
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        channel = await get_channel(conn, channel_id)
        result = await export_channel(conn, channel, out, MediaStore(config.media_dir), fmt=fmt)
    await engine.dispose()
    return result.path


def _comparable(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    for message in data["messages"]:
        for key in VOLATILE:
            message["tgmirror"].pop(key, None)
    return data


async def test_tdesktop_round_trip_is_identical(simulated_archive, make_config, tmp_path) -> None:
    config = simulated_archive["config"]
    first = await _export(config, simulated_archive["ru"], tmp_path / "first")
    empty = make_config(base=tmp_path / "other")
    engine = open_engine(empty.database_url)
    report = await import_export(
        engine, tmp_path / "first", MediaStore(empty.media_dir), int(time.time())
    )
    await engine.dispose()
    assert report.chats[0].messages == len(json.loads(first.read_text())["messages"])
    assert report.chats[0].files > 0
    second = await _export(empty, simulated_archive["ru"], tmp_path / "second")
    assert _comparable(first) == _comparable(second)
    for path in (tmp_path / "first").rglob("*"):
        if path.is_file() and path.name != "result.json":
            twin = tmp_path / "second" / path.relative_to(tmp_path / "first")
            assert twin.read_bytes() == path.read_bytes()


async def test_desktop_shapes_of_text_and_media(simulated_archive, tmp_path) -> None:
    data = json.loads(
        (
            await _export(simulated_archive["config"], simulated_archive["ru"], tmp_path / "x")
        ).read_text()
    )
    assert data["type"] == "public_channel" and data["id"] == simulated_archive["ru"]
    messages = data["messages"]
    assert any(isinstance(m["text"], str) for m in messages)
    formatted = [m for m in messages if isinstance(m["text"], list)]
    assert formatted and all(any(isinstance(p, dict) for p in m["text"]) for m in formatted)
    assert all(m["from_id"] == f"channel{data['id']}" for m in messages if m["type"] == "message")
    photos = [m for m in messages if "photo" in m]
    assert photos and all(m["photo"].startswith("photos/") for m in photos)
    assert all((tmp_path / "x" / m["photo"]).is_file() for m in photos)
    services = [m for m in messages if m["type"] == "service"]
    assert services and all("action" in m and "actor" in m for m in services)


async def test_jsonl_has_revisions_and_tombstones(simulated_archive, tmp_path) -> None:
    path = await _export(
        simulated_archive["config"], simulated_archive["en"], tmp_path / "j", fmt="jsonl"
    )
    records = {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}
    edited = records[simulated_archive["ids"]["edited"]]
    assert edited["text"] == "version four"
    assert [r["text"] for r in edited["revisions"]] == [
        "version one",
        "version two",
        "version three",
    ]
    deleted = records[simulated_archive["ids"]["deleted"]]
    assert deleted["deleted_how"] == "reconcile" and deleted["text"] == "this will be deleted"
    assert all(r["channel_id"] == simulated_archive["en"] for r in records.values())
    assert simulated_archive["ids"]["hidden"] not in records  # takedowns are not exported


async def test_jsonl_embeds_stored_json_and_copies_files(simulated_archive, tmp_path) -> None:
    path = await _export(
        simulated_archive["config"], simulated_archive["ru"], tmp_path / "m", fmt="jsonl"
    )
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with_files = [r for r in records if r["files"]]
    assert with_files and all(r["channel_id"] == simulated_archive["ru"] for r in records)
    photo = next(r for r in with_files if r["media_kind"] == "photo")
    assert isinstance(photo["media"], dict) and photo["media"]["width"]
    stored = photo["files"][0]
    copied = list((tmp_path / "m" / "media").glob(stored["sha256"] + "*"))
    assert len(copied) == 1
    formatted = next(r for r in records if r["entities"])
    assert isinstance(formatted["entities"], list) and formatted["entities"][0]["type"]


async def test_update_rewrites_nothing_that_did_not_change(simulated_archive, tmp_path) -> None:
    import os

    from archiver.exporters.html import export_html

    config = simulated_archive["config"]
    first = await _export(config, simulated_archive["ru"], tmp_path / "u")
    os.utime(first, (1, 1))
    again = await _export(config, simulated_archive["ru"], tmp_path / "u")
    assert again.stat().st_mtime == 1  # identical result.json: left as it was
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        channel = await get_channel(conn, simulated_archive["ru"])
        await export_html(conn, channel, tmp_path / "h", MediaStore(config.media_dir))
        pages = list((tmp_path / "h").glob("*.html"))
        for page in pages:
            os.utime(page, (1, 1))
        await export_html(conn, channel, tmp_path / "h", MediaStore(config.media_dir))
    await engine.dispose()
    assert all(page.stat().st_mtime == 1 for page in pages)
