"""The request pacer over a stand-in transport (the seam Telethon's ``_call`` gives it): live
requests go before queued backfill, a flood wait is waited out and the same request resent, a
long one is raised, and methods are paced apart (takeout-wrapped ones in their own lane)."""

from __future__ import annotations

import asyncio

import pytest
from telethon import errors, functions, types

from archiver.telegram.request_pacer import Priority, RequestPacer, method_key, request_priority

PEER = types.InputPeerChannel(1, 2)


def _history(offset: int) -> functions.messages.GetHistoryRequest:
    return functions.messages.GetHistoryRequest(PEER, offset, None, 0, 100, 0, 0, 0)


class Transport:
    """Answers requests in order; ``floods`` are FLOOD_WAIT seconds answered first."""

    def __init__(self, *floods: int) -> None:
        self.floods = list(floods)
        self.sent: list[str] = []

    def sender(self, request: object, label: str):
        async def transmit() -> str:
            self.sent.append(label)
            if self.floods:
                raise errors.FloodWaitError(request, capture=self.floods.pop(0))
            return label

        return transmit


async def _send(pacer: RequestPacer, transport: Transport, label: str, priority: Priority) -> str:
    request = _history(len(transport.sent))
    with request_priority(priority):
        return await pacer.send(request, transport.sender(request, label))


async def test_a_live_request_goes_before_queued_backfill() -> None:
    pacer, transport = RequestPacer(), Transport(1)
    first = asyncio.create_task(_send(pacer, transport, "backfill 1", Priority.BACKFILL))
    await asyncio.sleep(0.05)  # answered FLOOD_WAIT_1: the method waits a second
    queued = [
        asyncio.create_task(_send(pacer, transport, f"backfill {n}", Priority.BACKFILL))
        for n in (2, 3)
    ]
    await asyncio.sleep(0.05)
    live = asyncio.create_task(_send(pacer, transport, "live poll", Priority.LIVE))
    await asyncio.gather(first, live, *queued)
    assert transport.sent == ["backfill 1", "live poll", "backfill 1", "backfill 2", "backfill 3"]


async def test_a_flood_wait_is_waited_out_and_the_same_request_sent_again() -> None:
    pacer, transport = RequestPacer(), Transport(1)
    answer = await _send(pacer, transport, "page 4", Priority.BACKFILL)
    assert answer == "page 4"
    assert transport.sent == ["page 4", "page 4"]
    assert pacer.stats.flood_waits["GetHistoryRequest"] == 1
    assert pacer.stats.flood_seconds == 1


async def test_a_wait_longer_than_the_threshold_is_raised_and_blocks_the_method() -> None:
    pacer, transport = RequestPacer(sleep_threshold=60), Transport(600)
    with pytest.raises(errors.FloodWaitError):
        await _send(pacer, transport, "page 1", Priority.BACKFILL)
    with pytest.raises(errors.FloodWaitError) as raised:
        await _send(pacer, transport, "page 2", Priority.LIVE)
    assert transport.sent == ["page 1"]  # the second never reached Telegram
    assert raised.value.seconds > 590


async def test_a_wait_on_one_method_leaves_the_others_alone() -> None:
    pacer, transport = RequestPacer(sleep_threshold=60), Transport(600)
    with pytest.raises(errors.FloodWaitError):
        await _send(pacer, transport, "page 1", Priority.BACKFILL)
    request = functions.channels.GetChannelsRequest([types.InputChannel(1, 2)])
    assert await pacer.send(request, transport.sender(request, "probe")) == "probe"


def test_takeout_wrapped_requests_are_their_own_method() -> None:
    wrapped = functions.InvokeWithTakeoutRequest(7, _history(0))
    assert method_key(_history(0)) == "GetHistoryRequest"
    assert method_key(wrapped) == "Takeout:GetHistoryRequest"
    assert method_key([_history(0), _history(1)]) == "GetHistoryRequest"
