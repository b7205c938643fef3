"""A Telegram Desktop export whose chat name, text, link and file name hold NUL (U+0000)
imports on both backends, with U+FFFD in its place (PostgreSQL text cannot hold NUL)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import channels, events, message_media, messages
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore

NUL, FFFD = "\x00", "\ufffd"


def _export(folder: Path) -> Path:
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "report.pdf").write_bytes(b"%PDF-1.4 " * 20)
    text = [
        "a",
        {"type": "text_link", "text": f"li{NUL}nk", "href": f"https://ex.org/{NUL}"},
        f" b{NUL}c",
    ]
    data = {
        "name": f"Ве{NUL}сти",
        "type": "public_channel",
        "id": 777,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-01-01T10:05:00",
                "date_unixtime": "1704103500",
                "from": f"Ве{NUL}сти",
                "from_id": "channel777",
                "author": f"Ол{NUL}ег",
                "text": text,
                "text_entities": [],
            },
            {
                "id": 2,
                "type": "message",
                "date": "2024-01-01T10:06:00",
                "date_unixtime": "1704103560",
                "from": "Вести",
                "from_id": "channel777",
                "file": "files/report.pdf",
                "file_name": f"rep{NUL}ort.pdf",
                "mime_type": "application/pdf",
                "text": "",
                "text_entities": [],
            },
        ],
    }
    (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


async def test_export_with_nul_imports_with_replacement_characters(config, tmp_path) -> None:
    engine = open_engine(config.database_url)
    try:
        store = LocalMediaStore(config.media_dir)
        report = await import_export(engine, _export(tmp_path / "export"), store, int(time.time()))
        async with engine.connect() as conn:
            chan = (await conn.execute(sa.select(channels))).one()
            rows = {r.msg_id: r for r in await conn.execute(sa.select(messages))}
            files = (await conn.execute(sa.select(message_media))).all()
            added = (await conn.execute(sa.select(events.c.detail))).scalars().all()
    finally:
        await engine.dispose()
    assert report.chats[0].messages == 2
    assert chan.title == f"Ве{FFFD}сти" and {"title": chan.title, "username": None} in added
    one = rows[1]
    assert one.text == f"ali{FFFD}nk b{FFFD}c" and one.post_author == f"Ол{FFFD}ег"
    assert one.entities == [
        {"type": "text_url", "offset": 1, "length": 5, "url": f"https://ex.org/{FFFD}"}
    ]
    assert [(f.file_name, f.status) for f in files] == [(f"rep{FFFD}ort.pdf", "stored")]
