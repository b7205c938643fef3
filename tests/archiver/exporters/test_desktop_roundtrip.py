"""Import → export of Telegram Desktop exports in Desktop's real shapes loses no key.

The fixtures (tests/archiver/importers/desktop_exports.py) are built from tdesktop's own
writer: a channel with every kind of post and service action, a forum supergroup in a
full-account export (with a basic group and a private chat, which are skipped), a channel
the account left, and an export from before 2022. Every key of every message must come back
with the same value; the only keys added are listed below with the reason.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from archiver.db.engine import open_engine
from archiver.exporters.writer import export_channel
from archiver.importers.tdesktop import ImportReport, import_export
from archiver.media import LocalMediaStore as MediaStore
from archiver.store.channels import get_channel
from tests.archiver.importers import desktop_exports as shapes

# Keys a re-export may add, and why.
ADDED = {
    # Ours: history, capture times and exact stored values, which Desktop readers ignore.
    "tgmirror",
}
# An export from before 2022 has no unixtime keys and no text_entities; a re-export is in
# today's format, which has them.
ADDED_TO_OLD = ADDED | {"date_unixtime", "edited_unixtime", "text_entities"}


async def _import(config, folder: Path) -> ImportReport:
    engine = open_engine(config.database_url)
    try:
        return await import_export(engine, folder, MediaStore(config.media_dir), int(time.time()))
    finally:
        await engine.dispose()


async def _export(config, chat_id: int, out: Path, zone: Any) -> dict[str, Any]:
    engine = open_engine(config.database_url)
    try:
        async with engine.connect() as conn:
            channel = await get_channel(conn, chat_id)
            await export_channel(conn, channel, out, MediaStore(config.media_dir), zone=zone)
    finally:
        await engine.dispose()
    return json.loads((out / "result.json").read_text(encoding="utf-8"))


def _differences(original: dict, again: dict, added: set[str]) -> list[str]:
    """Every key of every original message that did not come back the same."""
    found = []
    back = {m["id"]: m for m in again["messages"]}
    for message in original["messages"]:
        twin = back.get(message["id"], {})
        for key, value in message.items():
            if twin.get(key, "<missing>") != value:
                found.append(
                    f"{message['id']}.{key}: {value!r} became {twin.get(key, '<missing>')!r}"
                )
        found += [f"{message['id']}.{key}: added" for key in set(twin) - set(message) - added]
    if len(back) != len(original["messages"]):
        found.append(f"{len(original['messages'])} messages became {len(back)}")
    return found


def _same_files(first: Path, second: Path, data: dict) -> None:
    for message in data["messages"]:
        for key in ("photo", "file", "thumbnail"):
            path = message.get(key)
            if isinstance(path, str) and not path.startswith("("):
                assert (second / path).read_bytes() == (first / path).read_bytes(), path


async def test_a_channel_export_comes_back_key_for_key(config, tmp_path: Path) -> None:
    data = shapes.single_channel()
    folder = shapes.write(tmp_path / "desktop", data)
    report = await _import(config, folder)
    assert report.chats[0].utc_offset == 3 * 3600
    again = await _export(config, shapes.CHANNEL, tmp_path / "again", shapes.ZONE)
    assert "\n".join(_differences(data, again, ADDED)) == ""
    assert (again["name"], again["id"]) == (data["name"], data["id"])
    _same_files(folder, tmp_path / "again", data)


async def test_a_full_account_export_comes_back_and_names_what_it_skipped(
    config, tmp_path: Path
) -> None:
    data = shapes.full_account()
    report = await _import(config, shapes.write(tmp_path / "desktop", data))
    assert report.summary().endswith(
        "skipped 2 (tgmirror archives channels and supergroups only): "
        "Family (private_group, 2 messages); Friend (personal_chat, 1 message)."
    )
    chats = [*data["chats"]["list"], *data["left_chats"]["list"]]
    for original in (c for c in chats if c["type"].endswith(("supergroup", "channel"))):
        again = await _export(config, original["id"], tmp_path / str(original["id"]), shapes.ZONE)
        assert "\n".join(_differences(original, again, ADDED)) == "", original["name"]


async def test_an_export_from_before_2022_comes_back_in_local_time(config, tmp_path) -> None:
    data = shapes.chat(
        "Old", "public_channel", shapes.CHANNEL, shapes.old_format(shapes.CHANNEL, "Old")
    )
    await _import(config, shapes.write(tmp_path / "desktop", data))
    again = await _export(config, shapes.CHANNEL, tmp_path / "again", None)
    assert "\n".join(_differences(data, again, ADDED_TO_OLD)) == ""
    edited = next(m for m in again["messages"] if m["id"] == 48)
    assert edited["edited"] == shapes.local(shapes.T0 + 9000, None)
    assert edited["edited_unixtime"] == str(shapes.T0 + 9000)
