"""Random transient faults: the errors Telethon raises, their share, lost answers, the counter."""

from __future__ import annotations

import asyncio

import pytest
from telethon import errors, functions, types
from telethon.tl.alltlobjects import LAYER

from archiver.simulator import World

RESOLVE = functions.contacts.ResolveUsernameRequest("news_ar")


async def _raw(client, request=RESOLVE):
    """One request straight through the sender: Telegram's answer, without Telethon's retries."""
    return await client._sender.send(request)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("RPC_CALL_FAIL", errors.RpcCallFailError),
        ("INTERNAL", errors.ServerError),
        ("TIMEOUT", errors.TimedOutError),
        ("FLOOD_WAIT", errors.FloodWaitError),
    ],
)
async def test_each_kind_raises_the_error_telethon_raises_for_it(world, connect, kind, error):
    client = await connect()
    world.set_random_faults(1.0, kinds=[kind])
    with pytest.raises(error) as caught:
        await _raw(client)
    if kind == "FLOOD_WAIT":
        assert 1 <= caught.value.seconds <= 3
    assert world.injected_faults() == {kind: 1}


async def test_the_share_of_failed_answers_follows_the_rate(world, connect):
    client = await connect()
    world.set_random_faults(0.25, seed=3, kinds=["RPC_CALL_FAIL", "TIMEOUT"])
    failed = 0
    for _ in range(400):
        try:
            await _raw(client)
        except (errors.ServerError, errors.TimedOutError):
            failed += 1
    counts = world.injected_faults()
    assert 70 <= failed <= 130
    assert sum(counts.values()) == failed and set(counts) == {"RPC_CALL_FAIL", "TIMEOUT"}
    assert world.answers_under_faults() == 400


async def test_a_lost_answer_comes_when_the_request_is_sent_again(world, connect):
    client = await connect()
    world.set_random_faults(1.0, kinds=["LOST"], lost_delay=0.2)
    pending = client._sender.send(RESOLVE)
    assert not pending.done()
    world.set_random_faults(0)  # the resend is answered
    answer = await asyncio.wait_for(pending, 30)  # a guard against hanging, not a speed check
    assert isinstance(answer, types.contacts.ResolvedPeer)
    assert world.injected_faults() == {"LOST": 1}


async def test_telethon_retries_through_faults_and_gets_the_answer(world, connect):
    client = await connect(flood_sleep_threshold=60)
    world.set_random_faults(0.5, seed=1, kinds=["FLOOD_WAIT", "LOST"], lost_delay=0.1)
    entity = await client.get_entity("news_ar")
    assert entity.username == "news_ar"


async def test_login_and_the_connection_handshake_are_left_alone(world, connect):
    client = await connect(authorized=False)
    world.set_random_faults(1.0)
    config = await _raw(client, functions.InvokeWithLayerRequest(LAYER, client._init_request))
    assert isinstance(config, types.Config)
    sent = await _raw(
        client, functions.auth.SendCodeRequest("+15550000000", 1, "x", types.CodeSettings())
    )
    assert sent.phone_code_hash
    assert world.injected_faults() == {}


def test_rate_zero_turns_faults_off_and_bad_settings_are_refused(world: World):
    world.set_random_faults(0.3)
    world.set_random_faults(0)
    assert world.meta("random_faults") is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        world.set_random_faults(1.5)
    with pytest.raises(ValueError, match="fault kinds"):
        world.set_random_faults(0.2, kinds=["EXPLODE"])
