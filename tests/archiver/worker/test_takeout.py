"""Backfill in a takeout session (``archive.takeout = "auto"``): when Telegram delays takeout
until the user confirms it on another device, the user is told (log and ``tgmirror status``)
and the sync completes without it."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa

from archiver.db.schema import messages
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels

from .test_accounts import _worker


def _config_file(tmp_path, config, world) -> str:
    """A tgmirror.toml naming the same database as ``config``, for the CLI."""
    database = f'database = "{config.storage.database}"\n' if config.storage.database else ""
    path = tmp_path / "tgmirror.toml"
    path.write_text(
        f'[storage]\ndata_dir = "{config.storage.data_dir}"\n{database}'
        f'[simulator]\nworld = "{world.path}"\n'
    )
    return str(path)


async def test_a_delayed_takeout_is_announced_once_and_sync_goes_on_without_it(
    world, make_config, cli, tmp_path, caplog
) -> None:
    ch = world.add_channel("history", "History")
    for i in range(250):
        world.post(ch, text=f"post {i}", push=False)
    world.fail_next("InitTakeoutSessionRequest", "TAKEOUT_INIT_DELAY_86400")
    caplog.set_level(logging.WARNING)
    async with _worker(world, make_config, 1, {"takeout": "auto"}) as ctx:
        await add_channel(ctx, "@history")
        report = await sync_channels(ctx)
        async with ctx.read() as conn:
            stored = await conn.scalar(sa.select(sa.func.count()).select_from(messages))
        plain = ctx.accounts.primary.client.pacer.stats.sent["GetHistoryRequest"]
        wrapped = ctx.accounts.primary.client.pacer.stats.sent["Takeout:GetHistoryRequest"]
        asked = ctx.accounts.primary.client.pacer.stats.sent["InitTakeoutSessionRequest"]
        config = ctx.config
    status = cli("--config", _config_file(tmp_path, config, world), "status")
    told = [r for r in caplog.records if "confirm the data export" in r.getMessage()]
    assert report.ok
    assert stored == 250
    assert (plain, wrapped, asked) == (3, 0, 1)  # asked once, not before every page
    assert len(told) == 1
    assert status.returncode == 0, status.stderr
    assert "confirm the data export (takeout) on another device" in " ".join(status.stdout.split())


async def test_takeout_is_used_once_telegram_allows_it_and_finished_at_the_end(
    world, make_config, cli, tmp_path
) -> None:
    first = world.add_channel("first", "First")
    later = world.add_channel("later", "Later")
    for ch in (first, later):
        for i in range(250):
            world.post(ch, text=f"post {i}", push=False)
    world.set_takeout_delay(86400)
    async with _worker(world, make_config, 1, {"takeout": "auto"}) as ctx:
        ctx.accounts.primary.client.takeout.retry_every = 0.2  # asks again soon (default 600 s)
        await add_channel(ctx, "@first")
        assert (await sync_channels(ctx)).ok
        delayed = world.request_counts(by_bucket=True)
        config = ctx.config
        told = cli("--config", _config_file(tmp_path, config, world), "status").stdout
        world.allow_takeout()  # the user confirms on another device
        await asyncio.sleep(0.3)
        await add_channel(ctx, "@later")
        assert (await sync_channels(ctx)).ok
        async with ctx.read() as conn:
            stored = await conn.scalar(sa.select(sa.func.count()).select_from(messages))
    counts = world.request_counts(by_bucket=True)
    after = cli("--config", _config_file(tmp_path, config, world), "status").stdout
    assert delayed.get("Takeout:GetHistoryRequest", 0) == 0
    assert counts["Takeout:GetHistoryRequest"] == 3  # the later channel's three pages
    assert stored == 500
    assert "confirm the data export" in " ".join(told.split())
    assert "takeout" not in after
    assert [t["finished"] for t in world.takeouts()] == [True]
