"""Comments of a channel with a linked discussion group: stored, linked, edited, deleted."""

from __future__ import annotations

import sqlalchemy as sa

from archiver.db.schema import channels, messages
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels


async def test_comments_are_archived_with_edits_and_deletions(
    world, make_config, sim_worker
) -> None:
    config = make_config({"simulator": {"world": str(world.path)}, "archive": {"comments": True}})
    ch = world.add_channel("with_talk", "With comments", linked_discussion=True)
    post = world.post(ch, text="What do you think?", push=False)
    quiet = world.post(ch, text="No comments here", push=False)
    group = world.channel(ch)["linked_chat_id"]
    ids = [world.comment(ch, post, f"comment {i}", push=False) for i in range(3)]
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@with_talk")
        first = await sync_channels(ctx)
        world.edit(group, ids[0], text="comment 0, corrected", push=False)
        world.delete(group, [ids[1]], push=False)
        await sync_channels(ctx)
        async with ctx.read() as conn:
            rows = (
                await conn.execute(
                    sa.select(messages)
                    .where(messages.c.channel_id == group)
                    .order_by(messages.c.msg_id)
                )
            ).all()
            kind = (
                await conn.execute(
                    sa.select(channels.c.kind, channels.c.following).where(channels.c.id == group)
                )
            ).one()
    assert first.outcomes[0].comments == 3
    assert [r.msg_id for r in rows] == ids
    assert all((r.thread_channel_id, r.thread_msg_id) == (ch, post) for r in rows)
    assert rows[0].text == "comment 0, corrected"
    assert rows[1].deleted_at is not None and rows[1].text == "comment 1"
    assert tuple(kind) == ("discussion", False)
    assert quiet != post


async def test_comments_are_off_unless_configured(world, sim_worker) -> None:
    ch = world.add_channel("talk_off", "Off", linked_discussion=True)
    post = world.post(ch, text="hello", push=False)
    world.comment(ch, post, "ignored", push=False)
    async with sim_worker() as ctx:
        await add_channel(ctx, "@talk_off")
        report = await sync_channels(ctx)
    assert report.outcomes[0].comments == 0
