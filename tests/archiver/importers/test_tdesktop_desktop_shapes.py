"""Shapes real Telegram Desktop exports have (checked in tdesktop's export_output_json.cpp).

Full-account exports keep channels the account left under ``left_chats``; new Desktop versions
write a poll's question and answers as text arrays; a message with media Desktop cannot
export is only ``{"id", "type": "unsupported"}``; exports before 2022 have no
``date_unixtime`` (only ``date``, local time).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import channels, messages
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore as MediaStore


def _msg(msg_id: int, **over) -> dict:
    base = {
        "id": msg_id,
        "type": "message",
        "date": "2024-03-01T10:00:00",
        "date_unixtime": str(1709287200 + msg_id),
        "from": "Left",
        "from_id": "channel55",
        "text": f"post {msg_id}",
        "text_entities": [],
    }
    return {**base, **over}


async def _import(config, data: dict, tmp_path: Path) -> tuple[dict, list]:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    engine = open_engine(config.database_url)
    try:
        await import_export(engine, folder, MediaStore(config.media_dir), int(time.time()))
        async with engine.connect() as conn:
            rows = {(r.channel_id, r.msg_id): r for r in await conn.execute(sa.select(messages))}
            chans = (await conn.execute(sa.select(channels.c.id, channels.c.title))).all()
    finally:
        await engine.dispose()
    return rows, chans


async def test_channels_the_account_left_are_imported_from_left_chats(config, tmp_path) -> None:
    data = {
        "about": "Here is the data you requested.",
        "chats": {
            "about": "chats",
            "list": [{"name": "Kept", "type": "public_channel", "id": 44, "messages": [_msg(1)]}],
        },
        "left_chats": {
            "about": "left",
            "list": [
                {
                    "name": "Left",
                    "type": "private_channel",
                    "id": 55,
                    "messages": [_msg(1), _msg(2)],
                }
            ],
        },
    }
    rows, chans = await _import(config, data, tmp_path)
    assert sorted(chans) == [(44, "Kept"), (55, "Left")]
    assert sorted(rows) == [(44, 1), (55, 1), (55, 2)]


async def test_poll_question_and_answers_as_text_arrays_become_plain_text(config, tmp_path) -> None:
    poll = {
        "question": ["Is it ", {"type": "bold", "text": "true"}, "?"],
        "closed": True,
        "total_voters": 3,
        "answers": [
            {"text": [{"type": "italic", "text": "yes"}], "voters": 2, "chosen": False},
            {"text": "no", "voters": 1, "chosen": False},
        ],
    }
    data = {
        "name": "Left",
        "type": "public_channel",
        "id": 55,
        "messages": [_msg(1, poll=poll, text="")],
    }
    rows, _ = await _import(config, data, tmp_path)
    media = rows[(55, 1)].media
    assert media["question"] == "Is it true?"
    assert [a["text"] for a in media["answers"]] == ["yes", "no"]


async def test_an_unsupported_message_is_kept_not_refused(config, tmp_path) -> None:
    data = {
        "name": "Left",
        "type": "public_channel",
        "id": 55,
        "messages": [_msg(1), {"id": 2, "type": "unsupported"}, _msg(3)],
    }
    rows, _ = await _import(config, data, tmp_path)
    assert sorted(rows) == [(55, 1), (55, 2), (55, 3)]
    assert rows[(55, 2)].media_kind == "unsupported"


async def test_old_exports_without_unixtime_read_the_local_date(config, tmp_path) -> None:
    old = _msg(1)
    del old["date_unixtime"]
    old["date"] = "2019-05-28T21:01:01"
    data = {"name": "Left", "type": "public_channel", "id": 55, "messages": [old]}
    rows, _ = await _import(config, data, tmp_path)
    expected = int(time.mktime(time.strptime("2019-05-28T21:01:01", "%Y-%m-%dT%H:%M:%S")))
    assert rows[(55, 1)].date == expected


async def test_a_document_thumbnail_beside_the_json_is_stored_too(config, tmp_path) -> None:
    folder = tmp_path / "export"
    (folder / "video_files").mkdir(parents=True)
    (folder / "video_files" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"v" * 40)
    (folder / "video_files" / "clip.mp4_thumb.jpg").write_bytes(b"\xff\xd8\xff" + b"t" * 40)
    video = _msg(
        1,
        file="video_files/clip.mp4",
        file_name="clip.mp4",
        file_size=52,
        thumbnail="video_files/clip.mp4_thumb.jpg",
        thumbnail_file_size=43,
        media_type="video_file",
        mime_type="video/mp4",
        duration_seconds=2,
    )
    data = {"name": "Left", "type": "public_channel", "id": 55, "messages": [video]}
    (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")
    engine = open_engine(config.database_url)
    try:
        await import_export(engine, folder, MediaStore(config.media_dir), int(time.time()))
        async with engine.connect() as conn:
            files = (
                await conn.execute(
                    sa.text("SELECT role, status, size FROM message_media ORDER BY role")
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(f) for f in files] == [("main", "stored", 52), ("thumb", "stored", 43)]
