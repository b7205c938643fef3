"""Importing Telegram Desktop exports written by hand: every key, both text shapes, bad input."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import channels, message_media, messages
from archiver.errors import ImportFormatError
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore as MediaStore

PHOTO = b"\x89PNG\r\n\x1a\n" + b"p" * 64
VOICE = b"OggS" + b"v" * 64

MESSAGES = [
    {
        "id": 1,
        "type": "service",
        "date": "2024-01-01T10:00:00",
        "date_unixtime": "1704103200",
        "actor": "Вести",
        "actor_id": "channel777",
        "action": "create_channel",
        "title": "Вести",
        "text": "",
        "text_entities": [],
    },
    {
        "id": 2,
        "type": "message",
        "date": "2024-01-01T10:05:00",
        "date_unixtime": "1704103500",
        "edited": "2024-01-01T11:00:00",
        "edited_unixtime": "1704106800",
        "from": "Вести",
        "from_id": "channel777",
        "author": "Олег",
        "text": [
            "Жирный ",
            {"type": "bold", "text": "текст"},
            " и ",
            {"type": "text_link", "text": "ссылка", "href": "https://example.org"},
        ],
        "text_entities": [],
        "reactions": [{"type": "emoji", "count": 5, "emoji": "👍"}],
        "future_key": {"kept": True},
    },
    {
        "id": 3,
        "type": "message",
        "date": "2024-01-01T10:06:00",
        "date_unixtime": "1704103560",
        "from": "Вести",
        "from_id": "channel777",
        "photo": "photos/photo_1.jpg",
        "width": 64,
        "height": 48,
        "text": "🔥 фото",
        "text_entities": [],
        "reply_to_message_id": 2,
    },
    {
        "id": 4,
        "type": "message",
        "date": "2024-01-01T10:07:00",
        "date_unixtime": "1704103620",
        "from": "Вести",
        "from_id": "channel777",
        "file": "voice_messages/audio_1.ogg",
        "media_type": "voice_message",
        "mime_type": "audio/ogg",
        "duration_seconds": 3,
        "text": "",
        "text_entities": [],
    },
    {
        "id": 5,
        "type": "message",
        "date": "2024-01-01T10:08:00",
        "date_unixtime": "1704103680",
        "from": "Вести",
        "from_id": "channel777",
        "file": "(File not included. Change data exporting settings to download.)",
        "media_type": "video_file",
        "mime_type": "video/mp4",
        "text": "",
        "text_entities": [],
    },
    {
        "id": 6,
        "type": "message",
        "date": "2024-01-01T10:09:00",
        "date_unixtime": "1704103740",
        "from": "Вести",
        "from_id": "channel777",
        "forwarded_from": "Другой канал",
        "poll": {
            "question": "Да?",
            "closed": False,
            "total_voters": 3,
            "answers": [
                {"text": "Да", "voters": 2, "chosen": False},
                {"text": "Нет", "voters": 1, "chosen": False},
            ],
        },
        "text": "",
        "text_entities": [],
    },
    {
        "id": 7,
        "type": "message",
        "date": "2024-01-01T10:10:00",
        "date_unixtime": "1704103800",
        "from": "Вести",
        "from_id": "channel777",
        "location_information": {"latitude": 50.45, "longitude": 30.52},
        "text": "",
        "text_entities": [],
    },
    {
        "id": 8,
        "type": "message",
        "date": "2024-01-01T10:11:00",
        "date_unixtime": "1704103860",
        "from": "Вести",
        "from_id": "channel777",
        "file": "../../../etc/passwd",
        "mime_type": "text/plain",
        "text": "hostile path",
        "text_entities": [],
    },
]


def write_export(folder: Path, messages=MESSAGES, *, chat_type="public_channel") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "voice_messages").mkdir(exist_ok=True)
    (folder / "photos" / "photo_1.jpg").write_bytes(PHOTO)
    (folder / "voice_messages" / "audio_1.ogg").write_bytes(VOICE)
    data = {"name": "Вести", "type": chat_type, "id": 777, "messages": messages}
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


async def _import(config, path: Path):
    engine = open_engine(config.database_url)
    try:
        report = await import_export(engine, path, MediaStore(config.media_dir), int(time.time()))
        async with engine.connect() as conn:
            rows = {r.msg_id: r for r in await conn.execute(sa.select(messages))}
            files = (await conn.execute(sa.select(message_media))).all()
            chans = (await conn.execute(sa.select(channels))).all()
        return report, rows, files, chans
    finally:
        await engine.dispose()


async def test_every_key_is_read(config, tmp_path: Path) -> None:
    report, rows, files, chans = await _import(config, write_export(tmp_path / "export"))
    chat = report.chats[0]
    assert (chat.messages, chat.files, chat.missing_files) == (8, 2, 2)
    assert chans[0].id == 777 and chans[0].source == "import"
    assert rows[1].action == {
        "type": "channel_create",
        "desktop_action": "create_channel",
        "title": "Вести",
    }
    two = rows[2]
    assert two.text == "Жирный текст и ссылка"
    assert two.entities == [
        {"type": "bold", "offset": 7, "length": 5},
        {"type": "text_url", "offset": 15, "length": 6, "url": "https://example.org"},
    ]
    assert (two.edit_date, two.post_author) == (1704106800, "Олег")
    assert two.reactions == [{"emoji": "👍", "count": 5}]
    assert two.extra == {"future_key": {"kept": True}, "from": "Вести"}
    assert (rows[3].media_kind, rows[3].reply_to_msg_id) == ("photo", 2)
    assert rows[4].media_kind == "voice" and rows[5].media_kind == "video"
    assert rows[6].media["question"] == "Да?" and rows[6].fwd_from == {"from_name": "Другой канал"}
    assert rows[7].media == {"lat": 50.45, "long": 30.52}
    by_status = sorted((f.kind, f.status) for f in files)
    assert by_status == [
        ("document", "missing"),
        ("photo", "stored"),
        ("video", "missing"),
        ("voice", "stored"),
    ]
    stored = [f for f in files if f.status == "stored"]
    data = {(config.media_dir / p.path).read_bytes() for p in await _paths(config, stored)}
    assert data == {PHOTO, VOICE}


async def _paths(config, files):
    from archiver.store.media import file_path

    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        found = [await file_path(conn, f.sha256) for f in files]
    await engine.dispose()
    return [type("P", (), {"path": path}) for path, _mime, _size in found]


async def test_zip_and_result_json_paths_work_too(config, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*"):
            z.write(path, "ChatExport_2024/" + str(path.relative_to(folder)))
        z.writestr("ChatExport_2024/../../evil.txt", b"zip slip")
    report, rows, *_ = await _import(config, archive)
    assert report.chats[0].files == 2 and len(rows) == 8
    assert not (tmp_path.parent / "evil.txt").exists()
    _, rows2, *_ = await _import(config, folder / "result.json")
    assert len(rows2) == 8  # importing twice adds nothing


async def test_full_account_export_imports_channels_and_skips_private_chats(
    config, tmp_path
) -> None:
    data = {
        "about": "...",
        "chats": {
            "about": "...",
            "list": [
                {"name": "Friend", "type": "personal_chat", "id": 5, "messages": MESSAGES[:2]},
                {"name": "Вести", "type": "public_supergroup", "id": 777, "messages": MESSAGES[:3]},
            ],
        },
    }
    (tmp_path / "acct").mkdir()
    (tmp_path / "acct" / "result.json").write_text(json.dumps(data), encoding="utf-8")
    report, rows, *_ = await _import(config, tmp_path / "acct")
    assert [c.skipped is None for c in report.chats] == [False, True]
    assert sorted(rows) == [1, 2, 3]
    assert report.summary() == (
        "Imported 1 chat, 3 messages; skipped 1 (tgmirror archives channels and supergroups "
        "only): Friend (personal_chat, 2 messages)."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"name": "x", "type": "public_channel", "id": 1, "messages": [{"id": 1, "ty',
            "not valid JSON",
        ),
        (
            json.dumps(
                {
                    "name": "x",
                    "type": "public_channel",
                    "id": 1,
                    "messages": [{"id": "seven", "date_unixtime": "1"}],
                }
            ),
            "id must be a number",
        ),
        (
            json.dumps(
                {
                    "name": "x",
                    "type": "public_channel",
                    "id": 1,
                    "messages": [{"id": 9, "date_unixtime": "1", "text": 5}],
                }
            ),
            "message 9: text must be a string or a list",
        ),
        (
            json.dumps(
                {
                    "name": "x",
                    "type": "public_channel",
                    "id": 1,
                    "messages": [{"id": 9, "type": "weird", "date_unixtime": "1"}],
                }
            ),
            "message 9: type must be",
        ),
        (
            json.dumps({"name": "x", "type": "public_channel", "id": "abc", "messages": []}),
            "chat id must be a number",
        ),
        (json.dumps({"hello": 1}), "no chats found"),
    ],
)
async def test_bad_exports_name_the_file_and_message_and_import_nothing(
    config, tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "result.json").write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as err:
        await _import(config, tmp_path / "bad")
    assert message in str(err.value)
    assert str(tmp_path / "bad") in str(err.value)
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(messages))).scalar()
    await engine.dispose()
    assert count == 0


async def test_a_bad_message_rolls_the_whole_chat_back(config, tmp_path: Path) -> None:
    broken = [*MESSAGES[:4], {"id": 99, "date_unixtime": "soon"}]
    with pytest.raises(ImportFormatError, match="message 99: date_unixtime must be a number"):
        await _import(config, write_export(tmp_path / "e", broken))
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(messages))).scalar() == 0
        assert (await conn.execute(sa.select(sa.func.count()).select_from(channels))).scalar() == 0
    await engine.dispose()
