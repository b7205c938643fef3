"""The network model: each answer waits the RTT plus its size over its connection's bandwidth,
answers on one connection queue for it, and each connection has its own."""

from __future__ import annotations

import time

import pytest
from telethon import functions

from archiver.simulator import Document
from archiver.simulator.link import Link, NetworkSettings
from archiver.simulator.sender import wire_bytes

MB = 1_000_000


def test_an_answer_waits_the_rtt_plus_its_size_over_the_bandwidth():
    settings = NetworkSettings(rtt_ms=80, bytes_per_second=3 * MB)
    assert Link().delay(settings, 3 * MB, now=100.0) == pytest.approx(1.08)


def test_answers_on_one_connection_queue_for_its_bandwidth():
    settings = NetworkSettings(rtt_ms=100, bytes_per_second=MB)
    link = Link()
    first = link.delay(settings, MB, now=0.0)
    second = link.delay(settings, MB, now=0.0)
    later = link.delay(settings, MB, now=10.0)  # the link is idle again by then
    assert (first, second, later) == pytest.approx((1.1, 2.1, 1.1))


def test_each_connection_has_its_own_bandwidth():
    settings = NetworkSettings(rtt_ms=0, bytes_per_second=MB)
    main, other_dc = Link(), Link()
    assert main.delay(settings, MB, now=0.0) == pytest.approx(1.0)
    assert other_dc.delay(settings, MB, now=0.0) == pytest.approx(1.0)


def test_bad_settings_are_refused(world):
    with pytest.raises(ValueError, match="bytes_per_second must be positive"):
        world.set_network(rtt_ms=10, bytes_per_second=0)
    with pytest.raises(ValueError, match="rtt_ms must not be negative"):
        world.set_network(rtt_ms=-1)


async def test_the_sender_delays_an_answer_by_its_wire_size(world, connect):
    client = await connect()
    request = functions.contacts.ResolveUsernameRequest("news_ar")
    assert client._sender._link.last_delay == 0  # off by default
    world.set_network(rtt_ms=250, bytes_per_second=10_000)
    answer = await client(request)
    size = len(wire_bytes(answer))
    assert client._sender._link.last_delay == pytest.approx(0.25 + size / 10_000, abs=0.01)


async def test_a_download_is_no_faster_than_the_bandwidth_allows(world, connect):
    data = bytes(range(256)) * 1024  # 256 KiB: two 128 KiB GetFile answers
    world.post(
        world.channel_id("news_ar"),
        "a file",
        media=Document(data, "application/pdf", file_name="a.pdf"),
        push=False,
    )
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    world.set_network(rtt_ms=0, bytes_per_second=len(data))
    started = time.monotonic()
    assert await client.download_media(message, bytes) == data
    assert time.monotonic() - started >= 1.0  # a lower bound only: never a speed target
    world.set_network()
    assert world.meta("network") is None
