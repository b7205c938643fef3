"""Erasure seen from t.me alone: deletion, going private and a country block are each
detected after the usual confirmations, and random HTTP faults never raise a false alarm."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config, WebPreviewConfig
from archiver.rows import ChannelRow
from archiver.simulator import World
from archiver.simulator.web_preview import WebFaults, serve_web
from archiver.store.channels import get_channel, upsert_channel
from archiver.worker.accounts import AccountPool
from archiver.worker.channel_status import Observation
from archiver.worker.context import WorkerContext
from archiver.worker.web_erasure import check_web_channel, combine

INTERVAL = 600


def _context(
    config: Config, engine: AsyncEngine, base_url: str, clock: list[float], **web: float
) -> WorkerContext:
    config = dataclasses.replace(
        config,
        web_preview=WebPreviewConfig(base_url=base_url, rate=1000.0),
        archive=dataclasses.replace(
            config.archive, erasure_confirmations=3, erasure_check_interval=INTERVAL
        ),
    )
    ctx = WorkerContext(config, engine, AccountPool.empty(), clock=lambda: clock[0])
    from archiver.tme.client import PoliteClient

    ctx.__dict__["web"] = PoliteClient(base_url, rate=1000.0, **web)
    return ctx


async def _follow(engine: AsyncEngine, ch: int) -> None:
    async with engine.begin() as conn:
        await upsert_channel(
            conn,
            ChannelRow(id=ch, access_hash=None, title="Daily", username="daily"),
            1,
            source="web",
        )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("delete_channel", "username_gone"),
        ("make_private", "username_gone"),
        ("restrict", "restricted"),
    ],
)
async def test_erasure_is_established_from_tme_alone(
    config: Config, engine: AsyncEngine, tmp_path: Path, change: str, reason: str
) -> None:
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily")
    world.post(ch, "hello", push=False)
    await _follow(engine, ch)
    clock = [1_000_000.0]
    with serve_web(world.path) as app:
        ctx = _context(config, engine, app.state.base_url, clock)
        channel = await _get(engine, ch)
        assert (await check_web_channel(ctx, channel)).state.status == "active"
        if change == "make_private":
            world.make_private(ch)
            world.set_username(ch, None)
        elif change == "restrict":
            world.restrict(ch, "all", "other", "This channel is blocked in your country.")
        else:
            getattr(world, change)(ch)
        statuses = []
        for _ in range(3):
            clock[0] += INTERVAL
            statuses.append((await check_web_channel(ctx, channel)).state.status)
        await ctx.close_web()
    assert statuses == ["suspect", "suspect", "erased"]
    stored = await _get(engine, ch)
    assert (stored.status, stored.status_reason) == ("erased", reason)


async def test_random_faults_raise_no_false_alarm(
    config: Config, engine: AsyncEngine, tmp_path: Path
) -> None:
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily")
    world.post(ch, "hello", push=False)
    await _follow(engine, ch)
    clock = [1_000_000.0]
    faults = WebFaults(rate=0.6, seed=11, stall_seconds=1.0)
    with serve_web(world.path, faults) as app:
        ctx = _context(
            config, engine, app.state.base_url, clock, timeout=0.3, backoff=0.01, retries=1
        )
        for _ in range(25):
            clock[0] += INTERVAL
            await check_web_channel(ctx, await _get(engine, ch))
        await ctx.close_web()
    assert sum(faults.injected.values()) >= 10
    assert (await _get(engine, ch)).status == "active"


def test_sources_must_agree() -> None:
    gone = Observation("signal", "username_gone", "t.me: Contact page")
    private = Observation("signal", "private", "CHANNEL_PRIVATE")
    ok = Observation("ok", detail="t.me: preview shown")
    unsure = Observation("inconclusive", detail="timeout")
    assert combine({"telegram": private, "web": ok}).kind == "ok"
    assert combine({"telegram": private, "web": gone}).kind == "signal"
    assert combine({"telegram": unsure, "web": gone}).reason == "username_gone"
    assert combine({"telegram": unsure, "web": unsure}).kind == "inconclusive"
    assert "web: signal" in (combine({"telegram": private, "web": gone}).detail or "")


async def _get(engine: AsyncEngine, ch: int):  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        channel = await get_channel(conn, ch)
    assert channel is not None
    return channel
