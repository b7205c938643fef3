"""A channel followed through Telegram and t.me/s at once is stored once, with Telegram's
richer rows kept; posts t.me cannot draw come from Telegram."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from archiver.config import Config, WebPreviewConfig
from archiver.db.schema import messages
from archiver.simulator import Dice, World
from archiver.simulator.web_preview import serve_web
from archiver.worker.sync import sync_channels
from archiver.worker.web_channels import add_both_channel


async def test_both_sources_store_each_post_once(
    sim_config: Config,
    sim_worker,  # type: ignore[no-untyped-def]
    world: World,
) -> None:
    ch = world.add_channel("daily", "Daily")
    for n in range(45):
        world.post(ch, f"post {n}", views=100 + n, forwards=n, push=False)
    card = world.post(ch, "", media=Dice("🎲", 3), push=False)
    with serve_web(world.path) as app:
        config = dataclasses.replace(
            sim_config, web_preview=WebPreviewConfig(base_url=app.state.base_url, rate=1000.0)
        )
        async with sim_worker(config) as ctx:
            added = await add_both_channel(ctx, "@daily")
            assert added.channel is not None and added.channel.source == "both"
            report = await sync_channels(ctx)
            assert report.ok, report
            world.post(ch, "post 46", push=False)
            assert (await sync_channels(ctx)).ok
            await ctx.close_web()
            async with ctx.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        sa.select(
                            messages.c.msg_id,
                            messages.c.source,
                            messages.c.forwards,
                            messages.c.media_kind,
                        ).where(messages.c.channel_id == ch)
                    )
                ).all()
    ids = [r.msg_id for r in rows]
    assert len(ids) == len(set(ids)) == 47
    assert {r.source for r in rows} == {"telegram"}  # nothing overwritten by the preview
    assert all(r.forwards is not None for r in rows if r.msg_id < card)  # Telegram fields kept
    assert any(r.msg_id == card and r.media_kind == "dice" for r in rows)
