"""The mirror shows what a Desktop import kept: forwards, via @bot, replies to other chats,
service actions with their fields (topics, members, inviter, the new group photo), and keeps
a left-out video's size, duration and poster for the player."""

from __future__ import annotations

import dataclasses
import time

import sqlalchemy as sa

from archiver.db.engine import open_engine
from archiver.db.schema import message_media, messages
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore as MediaStore
from tests.archiver.importers import desktop_exports as shapes
from tests.web.conftest import make_client


async def _imported(config, tmp_path, data) -> None:
    engine = open_engine(config.database_url)
    try:
        folder = shapes.write(tmp_path / "desktop", data)
        await import_export(engine, folder, MediaStore(config.media_dir), int(time.time()))
    finally:
        await engine.dispose()


async def _pages(config, chat: int, posts: list[int]) -> str:
    web = dataclasses.replace(config.web, publish="all")
    async with make_client(dataclasses.replace(config, web=web)) as client:
        pages = [await client.get(f"/{chat}/{msg_id}") for msg_id in posts]
    assert all(page.status_code == 200 for page in pages)
    return "\n".join(page.text for page in pages)


async def test_channel_posts_show_forward_bot_and_other_chat_reply(config, tmp_path) -> None:
    await _imported(config, tmp_path, shapes.single_channel())
    html = await _pages(config, shapes.CHANNEL, [20, 21, 24, 25, 31, 35, 45])
    shown = [
        'Forwarded from <b dir="auto">Другий канал</b>',
        'Forwarded from <b dir="auto">user 77',
        "via @gif",
        "In reply to message #99 of another chat",
        'class="service-photo"',
        "A message of another chat was pinned",
        "Custom service text",
    ]
    assert [text for text in shown if text not in html] == []


async def test_forum_actions_show_their_fields(config, tmp_path) -> None:
    await _imported(config, tmp_path, shapes.full_account())
    html = await _pages(config, shapes.FORUM, [2, 4, 5, 7, 9])
    shown = [
        "Topic “Новини” created",
        "Topic renamed to “Новини 🇺🇦”",
        "Topic icon changed",
        "Іван, Марія",
        "Joined by an invite link of Олена",
        "<b>Петро</b>",
    ]
    assert [text for text in shown if text not in html] == []


async def test_a_left_out_video_keeps_size_duration_and_its_poster(config, tmp_path) -> None:
    await _imported(config, tmp_path, shapes.single_channel())
    engine = open_engine(config.database_url)
    try:
        async with engine.connect() as conn:
            files = (
                await conn.execute(
                    sa.select(
                        message_media.c.role,
                        message_media.c.status,
                        message_media.c.size,
                        message_media.c.duration,
                        message_media.c.width,
                    )
                    .join(messages, messages.c.id == message_media.c.message_id)
                    .where(messages.c.msg_id == 8)
                    .order_by(message_media.c.role)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(f) for f in files] == [
        ("main", "missing", 2147483000, 3600, 3840),
        ("thumb", "stored", 44, None, None),
    ]
