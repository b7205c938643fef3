"""A post whose text, channel title, file name and entity URL hold NUL (U+0000) archives on
both backends; PostgreSQL text cannot hold NUL, so every backend stores U+FFFD in its place
(one UTF-16 unit, so entity offsets stay right) and the raw TL bytes keep the original."""

from __future__ import annotations

import sqlalchemy as sa
from telethon.tl import types

from archiver.db.schema import channels, message_media, message_revisions, messages
from archiver.simulator import Document
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels

NUL, FFFD = "\x00", "\ufffd"


async def test_nul_in_text_title_file_name_and_url_is_archived(world, sim_worker) -> None:
    ch = world.add_channel("nul_news", f"Title{NUL}with NUL")
    text = f"before{NUL}after {NUL}link"
    url = f"https://example.org/{NUL}path"
    world.post(
        ch, text=text, entities=[types.MessageEntityTextUrl(len(text) - 4, 4, url)], push=False
    )
    world.post(
        ch,
        text=f"caption{NUL}",
        push=False,
        media=Document(
            b"%PDF-1.4 " * 50, "application/pdf", file_name=f"report{NUL}.pdf", thumb=False
        ),
    )
    async with sim_worker() as ctx:
        assert (await add_channel(ctx, "@nul_news")).error is None
        report = await sync_channels(ctx)
        assert report.ok, report
        again = await sync_channels(ctx)  # the same post again is no edit
        assert again.ok, again
        async with ctx.read() as conn:
            assert (await conn.execute(sa.select(message_revisions))).all() == []
            channel = (await conn.execute(sa.select(channels))).one()
            rows = (await conn.execute(sa.select(messages).order_by(messages.c.msg_id))).all()
            files = (await conn.execute(sa.select(message_media))).all()
    assert channel.title == f"Title{FFFD}with NUL"
    first, second = rows
    assert first.text == text.replace(NUL, FFFD)
    assert first.entities == [
        {"type": "text_url", "offset": len(text) - 4, "length": 4, "url": url.replace(NUL, FFFD)}
    ]
    assert first.text[first.entities[0]["offset"] :] == "link"
    assert NUL.encode() in first.raw  # the TL bytes keep what Telegram sent
    assert second.text == f"caption{FFFD}"
    assert [(f.file_name, f.status) for f in files] == [(f"report{FFFD}.pdf", "stored")]
