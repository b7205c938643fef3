"""A post t.me shows but cannot render ("Please open Telegram to view this post") is stored
as a placeholder that says so, and the Telegram source's capture fills it in as the post's
first version: no revision, no edit, and the archive still verifies. A placeholder never
replaces what the Telegram source captured."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config
from archiver.db.schema import evidence_log, message_revisions, messages
from archiver.evidence.verify import verify_archive
from archiver.media import LocalMediaStore
from archiver.rows import NOT_PREVIEWED, ChannelRow, MessageRow
from archiver.simulator import Dice, World, schema, tl_build
from archiver.simulator.web_preview import serve_web
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages
from archiver.telegram.convert import message_row
from archiver.tme.client import PoliteClient
from archiver.tme.follow import sync_web_channel

NOW = 1_800_000_000


def _world(tmp_path: Path) -> tuple[World, int, int]:
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily")
    world.post(ch, "before", push=False)
    dice = world.post(ch, "roll it", media=Dice("🎲", 5), push=False)
    world.post(ch, "after", push=False)
    return world, ch, dice


def _telegram_row(world: World, ch: int, msg_id: int) -> MessageRow:
    """The row the Telegram source makes of the message (the RPC layer's object, converted)."""
    conn = schema.connect(world.path)
    row = conn.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND id = ?", (ch, msg_id)
    ).fetchone()
    converted = message_row(tl_build.message(row, lambda fid: None), ch)  # type: ignore[arg-type,return-value]
    conn.close()
    assert converted is not None
    return converted


async def _add_channel(engine: AsyncEngine, ch: int) -> None:
    async with engine.begin() as conn:
        row = ChannelRow(id=ch, access_hash=None, title="Daily", username="daily")
        await upsert_channel(conn, row, NOW, source="both")


async def _web_sync(engine: AsyncEngine, world: World, ch: int) -> None:
    await _add_channel(engine, ch)
    with serve_web(world.path) as app:
        async with PoliteClient(app.state.base_url, rate=1000) as client:
            await sync_web_channel(engine.begin, client, ch, "daily", NOW)


async def _stored(engine: AsyncEngine, ch: int, msg_id: int) -> sa.Row:  # type: ignore[type-arg]
    async with engine.connect() as conn:
        query = sa.select(messages).where(messages.c.channel_id == ch, messages.c.msg_id == msg_id)
        return (await conn.execute(query)).one()


async def test_the_preview_keeps_a_placeholder_that_says_so(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch, dice = _world(tmp_path)
    await _web_sync(engine, world, ch)
    row = await _stored(engine, ch, dice)
    assert (row.source, row.media_kind) == ("web", "unsupported")
    assert row.media == {"type": NOT_PREVIEWED, "shown": "Please open Telegram to view this post"}
    assert row.text == "roll it"  # the caption t.me does show
    async with engine.connect() as conn:
        logged = await conn.execute(
            sa.select(evidence_log.c.msg_id).where(evidence_log.c.msg_id == dice)
        )
        assert logged.all() == []  # a placeholder holds no content to prove


async def test_the_telegram_capture_fills_the_placeholder_in(
    engine: AsyncEngine, tmp_path: Path, config: Config
) -> None:
    world, ch, dice = _world(tmp_path)
    await _web_sync(engine, world, ch)
    telegram = _telegram_row(world, ch, dice)
    async with engine.begin() as conn:
        result = await save_messages(conn, [telegram], NOW + 60)
    assert (result.inserted, result.edited, result.new_ids) == (1, 0, (dice,))
    row = await _stored(engine, ch, dice)
    assert (row.source, row.media_kind, row.media) == ("telegram", "dice", telegram.media)
    assert (row.text, row.entities) == (telegram.text, telegram.entities)
    assert (row.captured_at, row.date) == (NOW + 60, telegram.date)
    async with engine.connect() as conn:
        revisions = await conn.execute(
            sa.select(message_revisions.c.id).where(message_revisions.c.message_id == row.id)
        )
        assert revisions.all() == []  # not an edit: the first version with content
        sources = await conn.execute(
            sa.select(evidence_log.c.leaf).where(evidence_log.c.msg_id == dice)
        )
        leaves = [leaf for (leaf,) in sources]
    assert len(leaves) == 1 and '"source":"telegram"' in leaves[0]
    report = await verify_archive(engine, LocalMediaStore(config.media_dir), None)
    assert report.ok, report.problems


async def test_a_placeholder_never_replaces_the_telegram_capture(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world, ch, dice = _world(tmp_path)
    telegram = _telegram_row(world, ch, dice)
    await _add_channel(engine, ch)
    async with engine.begin() as conn:
        await save_messages(conn, [telegram], NOW)
    await _web_sync(engine, world, ch)  # the preview shows it as a placeholder
    placeholder = MessageRow(
        channel_id=ch,
        msg_id=dice,
        date=telegram.date,
        media_kind="unsupported",
        media={"type": NOT_PREVIEWED},
        source="web",
    )
    async with engine.begin() as conn:  # even written straight to the store
        result = await save_messages(conn, [placeholder], NOW + 60)
    assert result.edited == 0
    row = await _stored(engine, ch, dice)
    assert (row.source, row.media_kind, row.text) == ("telegram", "dice", telegram.text)
