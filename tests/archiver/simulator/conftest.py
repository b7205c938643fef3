"""Fixtures: a fresh world file per test and a factory of real Telethon clients attached to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from telethon import TelegramClient
from telethon.sessions import StringSession

from archiver.simulator import World, attach

ClientFactory = Callable[..., Awaitable[TelegramClient]]


@pytest.fixture
def world(tmp_path: Path) -> World:
    """An empty world with one channel, @news_ar."""
    w = World.create(tmp_path / "world.sqlite")
    w.add_channel("news_ar", "أخبار", "about text")
    return w


@pytest.fixture
async def connect(world: World) -> AsyncIterator[ClientFactory]:
    """Factory: a connected real TelegramClient talking to `world` (disconnected afterwards)."""
    clients: list[TelegramClient] = []

    async def make(
        *, authorized: bool = True, path: Path | None = None, **kw: object
    ) -> TelegramClient:
        kw.setdefault("flood_sleep_threshold", 0)
        client = TelegramClient(StringSession(), api_id=1, api_hash="x", **kw)
        attach(client, path or world.path, authorized=authorized)
        await client.connect()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.disconnect()
