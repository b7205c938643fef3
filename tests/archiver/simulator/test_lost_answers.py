"""A lost answer never arrives: the client finds the connection silent, reconnects and sends the
request again, as Telethon's MTProtoSender does, and the server sees it twice."""

from __future__ import annotations

import asyncio

from telethon import functions, types

RESOLVE = functions.contacts.ResolveUsernameRequest("news_ar")


async def test_a_lost_answer_waits_for_telethons_keepalive_and_is_sent_again(world, connect):
    client = await connect()
    world.set_random_faults(1.0, kinds=["LOST"], lost_delay=3600)
    pending = client._sender.send(RESOLVE)
    await asyncio.sleep(0.5)  # several polls of the world: still nothing
    assert not pending.done()
    assert world.request_counts()["ResolveUsernameRequest"] == 1  # the server did answer
    world.set_random_faults(0)
    client._sender._keepalive_ping(1)  # a ping, never answered on the silent connection
    assert not pending.done()
    client._sender._keepalive_ping(2)  # still no pong: reconnect and re-send
    answer = await asyncio.wait_for(pending, 30)  # a guard against hanging only
    assert isinstance(answer, types.contacts.ResolvedPeer)
    assert world.request_counts()["ResolveUsernameRequest"] == 2


async def test_a_client_call_gets_its_answer_after_a_lost_one(world, connect):
    client = await connect()
    world.set_random_faults(1.0, kinds=["LOST"], lost_delay=0.2)
    call = asyncio.ensure_future(client(RESOLVE))
    await asyncio.sleep(0.05)
    world.set_random_faults(0)
    answer = await asyncio.wait_for(call, 30)
    assert answer.chats[0].username == "news_ar"
    assert world.request_counts()["ResolveUsernameRequest"] == 2
    assert world.injected_faults() == {"LOST": 1}


async def test_a_healthy_connection_answers_pings(world, connect):
    client = await connect()
    for ping in range(3):
        client._sender._keepalive_ping(ping)
    assert (await client(RESOLVE)).chats[0].username == "news_ar"
    assert world.request_counts()["ResolveUsernameRequest"] == 1
