"""Takeout sessions as Telegram runs them, through Telethon's own `client.takeout()`."""

from __future__ import annotations

import pytest
from telethon import errors, functions, types

from archiver.simulator.auth import LOGIN_CODE


@pytest.fixture
def channel_with_posts(world) -> int:
    ch = world.channel_id("news_ar")
    for n in range(3):
        world.post(ch, text=f"post {n}", push=False)
    return ch


async def test_client_takeout_reads_history_and_finishes_the_session(
    world, connect, channel_with_posts
):
    client = await connect()
    channel = await client.get_entity("news_ar")
    async with client.takeout(channels=True) as takeout:
        texts = [m.text async for m in takeout.iter_messages(channel, wait_time=0)]
    assert texts == ["post 2", "post 1", "post 0"]
    assert client.session.takeout_id is None
    assert [t["finished"] for t in world.takeouts()] == [True]
    counts = world.request_counts(by_bucket=True)
    assert counts["InitTakeoutSessionRequest"] == 1
    assert counts["Takeout:GetHistoryRequest"] >= 1
    assert counts["Takeout:FinishTakeoutSessionRequest"] == 1


async def test_a_new_takeout_waits_for_the_delay(world, connect):
    world.set_takeout_delay(24 * 3600)
    client = await connect()
    with pytest.raises(errors.TakeoutInitDelayError) as caught:
        async with client.takeout(channels=True):
            pass
    assert caught.value.seconds == 24 * 3600
    with pytest.raises(errors.TakeoutInitDelayError) as again:  # the delay runs from the first
        await client(functions.account.InitTakeoutSessionRequest(message_channels=True))
    assert 24 * 3600 - 5 <= again.value.seconds <= 24 * 3600
    assert client.session.takeout_id is None and list(world.takeouts()) == []


async def test_a_takeout_confirmed_on_another_device_starts_at_once(world, connect):
    world.set_takeout_delay(24 * 3600)
    client = await connect()
    with pytest.raises(errors.TakeoutInitDelayError):
        await client(functions.account.InitTakeoutSessionRequest(message_channels=True))
    world.allow_takeout()
    async with client.takeout(channels=True) as takeout:
        assert (await takeout.get_entity("news_ar")).username == "news_ar"


async def test_a_finished_or_unknown_takeout_is_invalid(world, connect, channel_with_posts):
    client = await connect()
    channel = await client.get_input_entity("news_ar")
    history = functions.messages.GetHistoryRequest(channel, 0, None, 0, 10, 0, 0, 0)
    started = await client(functions.account.InitTakeoutSessionRequest(message_channels=True))
    page = await client(functions.InvokeWithTakeoutRequest(started.id, history))
    assert len(page.messages) == 3
    finish = functions.account.FinishTakeoutSessionRequest(success=True)
    assert await client(functions.InvokeWithTakeoutRequest(started.id, finish)) is True
    with pytest.raises(errors.TakeoutInvalidError):
        await client(functions.InvokeWithTakeoutRequest(started.id, history))
    with pytest.raises(errors.TakeoutInvalidError):
        await client(functions.InvokeWithTakeoutRequest(12345, history))


async def test_finishing_outside_a_takeout_is_refused(world, connect):
    client = await connect()
    with pytest.raises(errors.TakeoutRequiredError):
        await client(functions.account.FinishTakeoutSessionRequest(success=True))


async def test_another_account_cannot_use_a_takeout(world, connect):
    world.add_account("Second", "15550000002")
    first = await connect()
    second = await connect(authorized=False)
    await second.send_code_request("+15550000002")
    await second.sign_in("+15550000002", LOGIN_CODE)
    started = await first(functions.account.InitTakeoutSessionRequest(message_channels=True))
    request = functions.InvokeWithTakeoutRequest(
        started.id, functions.users.GetUsersRequest([types.InputUserSelf()])
    )
    with pytest.raises(errors.TakeoutInvalidError):
        await second(request)
    assert (await first(request))[0].first_name == "Archivist"
