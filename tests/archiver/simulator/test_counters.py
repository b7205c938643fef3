"""What the simulated Telegram served, as the world counts it: requests by class name, seconds
of FLOOD_WAIT answered, and bytes returned by upload.GetFile."""

from __future__ import annotations

import pytest
from telethon import errors, functions

from archiver.simulator import Document


async def test_requests_are_counted_by_telethon_class_name(world, connect):
    client = await connect()
    before = world.request_counts()
    await client.get_entity("news_ar")
    await client.get_messages("news_ar", limit=5)
    after = world.request_counts()
    assert after["ResolveUsernameRequest"] == before.get("ResolveUsernameRequest", 0) + 1
    assert after["GetHistoryRequest"] == 1


async def test_refused_requests_are_counted_too(world, connect):
    client = await connect()
    world.fail_next("GetHistoryRequest", "CHANNEL_PRIVATE")
    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages("news_ar", limit=5)
    assert world.request_counts()["GetHistoryRequest"] == 1


async def test_flood_wait_seconds_add_up_every_flood_wait_answered(world, connect):
    client = await connect()
    world.fail_next("GetHistoryRequest", "FLOOD_WAIT_30")
    world.fail_next("GetFullChannelRequest", "FLOOD_WAIT_7")
    world.set_limits({"ResolveUsernameRequest": (1, 60)})
    await client.get_entity("news_ar")
    with pytest.raises(errors.FloodWaitError):
        await client.get_messages("news_ar", limit=5)
    with pytest.raises(errors.FloodWaitError):
        await client(functions.channels.GetFullChannelRequest("news_ar"))
    with pytest.raises(errors.FloodWaitError):
        await client(functions.contacts.ResolveUsernameRequest("news_ar"))
    assert world.flood_wait_seconds() == 30 + 7 + 60


async def test_file_bytes_served_counts_what_get_file_returned(world, connect):
    data = bytes(range(256)) * 1000
    world.post(
        world.channel_id("news_ar"),
        "a file",
        media=Document(data, "application/pdf", file_name="a.pdf"),
        push=False,
    )
    # On the account's own DC: elsewhere Telethon's first request meets FILE_MIGRATE.
    world.set_file_dc(world.messages(world.channel_id("news_ar"))[0]["media"]["file_id"], 2)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    assert world.file_bytes_served() == 0
    assert await client.download_media(message, bytes) == data
    assert world.file_bytes_served() == len(data)
    # Two 128 KiB chunks of 256,000 bytes (one more if the file's DC answers FILE_MIGRATE first).
    assert world.request_counts()["GetFileRequest"] >= 2
