"""Per-account request quotas: FLOOD_WAIT past a token bucket, its penalty, takeout buckets, and
buckets shared by every process attached to the world."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest
from telethon import errors, functions

from archiver.simulator.auth import LOGIN_CODE

RESOLVE = functions.contacts.ResolveUsernameRequest("news_ar")


async def _raw(client, request=RESOLVE):
    """Straight through the sender: what Telegram answers, without Telethon's flood memory."""
    return await client._sender.send(request)


async def test_past_the_bucket_telegram_answers_the_seconds_until_a_token_is_free(world, connect):
    world.set_limits({"ResolveUsernameRequest": (2, 10)})
    client = await connect()
    await client(RESOLVE)
    await client(RESOLVE)
    with pytest.raises(errors.FloodWaitError) as caught:
        await client(RESOLVE)
    assert caught.value.seconds == 5  # one token every 10 / 2 seconds
    assert world.flood_wait_seconds() == 5


async def test_telethon_remembers_the_wait_and_does_not_ask_again(world, connect):
    world.set_limits({"ResolveUsernameRequest": (1, 60)})
    client = await connect()
    await client(RESOLVE)
    with pytest.raises(errors.FloodWaitError):
        await client(RESOLVE)
    with pytest.raises(errors.FloodWaitError):  # raised by Telethon itself, from memory
        await client(RESOLVE)
    assert world.request_counts()["ResolveUsernameRequest"] == 2


async def test_asking_again_during_a_wait_lengthens_it_by_the_penalty(world, connect):
    world.set_limits({"ResolveUsernameRequest": (1, 60)}, penalty=30)
    client = await connect()
    await _raw(client)
    waits = []
    for _ in range(3):
        with pytest.raises(errors.FloodWaitError) as caught:
            await _raw(client)
        waits.append(caught.value.seconds)
    assert waits == [60, 90, 120]
    assert world.flood_wait_seconds() == 270


async def test_after_the_wait_the_request_is_answered(world, connect):
    world.set_limits({"ResolveUsernameRequest": (1, 1)})
    client = await connect()
    await _raw(client)
    with pytest.raises(errors.FloodWaitError) as caught:
        await _raw(client)
    await asyncio.sleep(caught.value.seconds)
    assert (await _raw(client)).chats[0].username == "news_ar"


async def test_telethon_sleeps_through_a_wait_below_its_threshold(world, connect):
    world.set_limits({"ResolveUsernameRequest": (1, 1)})
    client = await connect(flood_sleep_threshold=60)
    await client(RESOLVE)
    assert (await client(RESOLVE)).chats[0].username == "news_ar"
    assert world.request_counts()["ResolveUsernameRequest"] == 3  # refused once, then again


async def test_buckets_are_per_account(world, connect):
    world.add_account("Second", "15550000002")
    world.set_limits({"ResolveUsernameRequest": (1, 60)})
    first = await connect()
    first_again = await connect()  # another session of the same account
    second = await connect(authorized=False)
    await second.send_code_request("+15550000002")
    await second.sign_in("+15550000002", LOGIN_CODE)
    await _raw(first)
    with pytest.raises(errors.FloodWaitError):
        await _raw(first_again)
    assert (await _raw(second)).chats[0].username == "news_ar"


async def test_other_methods_and_takeout_have_their_own_buckets(world, connect):
    world.set_limits({"GetHistoryRequest": (1, 60), "Takeout:GetHistoryRequest": (100, 1)})
    world.post(world.channel_id("news_ar"), text="hello", push=False)
    client = await connect()
    channel = await client.get_entity("news_ar")
    await client.get_messages(channel, limit=1)
    with pytest.raises(errors.FloodWaitError):
        await client.get_messages(channel, limit=1)
    async with client.takeout(channels=True) as takeout:
        for _ in range(3):
            assert [m.text for m in await takeout.get_messages(channel, limit=1)] == ["hello"]
    counts = world.request_counts(by_bucket=True)
    assert counts["GetHistoryRequest"] == 2 and counts["Takeout:GetHistoryRequest"] == 3
    assert world.request_counts()["GetHistoryRequest"] == 5


async def test_a_process_attached_to_the_world_draws_from_the_same_bucket(world, connect):
    world.set_limits({"ResolveUsernameRequest": (1, 60)})
    script = textwrap.dedent(f"""
        import asyncio
        from telethon import TelegramClient, functions
        from telethon.sessions import StringSession
        from archiver.simulator import attach

        async def main():
            client = TelegramClient(StringSession(), 1, "x", flood_sleep_threshold=0)
            attach(client, {str(world.path)!r})
            await client.connect()
            await client(functions.contacts.ResolveUsernameRequest("news_ar"))
            await client.disconnect()

        asyncio.run(main())
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    client = await connect()
    with pytest.raises(errors.FloodWaitError):
        await _raw(client)
    assert world.request_counts()["ResolveUsernameRequest"] == 2


def test_limits_name_telethon_request_classes(world):
    with pytest.raises(ValueError, match="not a Telethon request class name"):
        world.set_limits({"GetHistory": (1, 1)})
    with pytest.raises(ValueError, match="requests >= 1"):
        world.set_limits({"GetHistoryRequest": (0, 1)})
    world.set_limits({"GetHistoryRequest": (30, 30)})
    assert world.limits() == {"GetHistoryRequest": (30, 30.0)}
    world.set_limits({})
    assert world.limits() == {}
