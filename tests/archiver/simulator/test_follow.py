"""Update delivery as Telegram does it: pushes only to members, joining and its limit, and the
channel difference of a channel the account never joined."""

import asyncio

import pytest
from telethon import errors, events, functions, types

from archiver.simulator import World


async def _settle() -> None:
    """Longer than several looks of the simulated sender at the world's change log."""
    await asyncio.sleep(0.6)


def _difference(entity, pts: int, limit: int = 100):
    return functions.updates.GetChannelDifferenceRequest(
        channel=entity, filter=types.ChannelMessagesFilterEmpty(), pts=pts, limit=limit
    )


async def test_no_push_to_an_account_that_did_not_join(world: World, connect) -> None:
    ch = world.channel_ids()[0]
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.text), events.NewMessage())
    await client.get_input_entity("news_ar")
    world.post(ch, "nobody told you")
    await _settle()
    assert seen == []


async def test_push_after_join_and_none_after_leave(world: World, connect) -> None:
    ch = world.channel_ids()[0]
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.text), events.NewMessage())
    entity = await client.get_input_entity("news_ar")
    answer = await client(functions.channels.JoinChannelRequest(entity))
    assert isinstance(answer, types.Updates)
    assert [type(u) for u in answer.updates] == [types.UpdateChannel]
    assert answer.chats[0].id == ch and answer.chats[0].left is False
    assert world.joined_channels() == [ch] and len(world.members(ch)) == 1
    world.post(ch, "members hear this")
    for _ in range(50):
        if seen:
            break
        await asyncio.sleep(0.1)
    assert seen == ["members hear this"]
    await client(functions.channels.LeaveChannelRequest(entity))
    world.post(ch, "but not this")
    await _settle()
    assert seen == ["members hear this"]
    with pytest.raises(errors.UserNotParticipantError):
        await client(functions.channels.LeaveChannelRequest(entity))


async def test_channel_is_left_until_joined(world: World, connect) -> None:
    client = await connect()
    full = await client(functions.channels.GetFullChannelRequest("news_ar"))
    assert full.chats[0].left is True
    participants = full.full_chat.participants_count
    await client(functions.channels.JoinChannelRequest("news_ar"))
    again = await client(functions.channels.JoinChannelRequest("news_ar"))  # already in
    assert again.updates == []
    full = await client(functions.channels.GetFullChannelRequest("news_ar"))
    assert full.chats[0].left is False
    assert full.full_chat.participants_count == participants + 1


async def test_joining_past_the_limit_is_channels_too_much(world: World, connect) -> None:
    for i in range(3):
        world.add_channel(f"extra_{i}", f"Extra {i}")
    world.set_channels_limit(2)
    client = await connect()
    await client(functions.channels.JoinChannelRequest("news_ar"))
    await client(functions.channels.JoinChannelRequest("extra_0"))
    with pytest.raises(errors.ChannelsTooMuchError):
        await client(functions.channels.JoinChannelRequest("extra_1"))
    assert len(world.joined_channels()) == 2
    await client(functions.channels.LeaveChannelRequest("extra_0"))
    await client(functions.channels.JoinChannelRequest("extra_1"))  # room again after leaving


async def test_each_account_joins_on_its_own(world: World, connect, tmp_path) -> None:
    other = world.add_account("Second", "15550000002")
    world.join(world.channel_ids()[0], other)
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.text), events.NewMessage())
    await client.get_input_entity("news_ar")
    world.post(world.channel_ids()[0], "for the second account only")
    await _settle()
    assert seen == []


async def test_difference_of_a_channel_never_joined(world: World, connect) -> None:
    ch = world.channel_ids()[0]
    first = world.post(ch, "first", push=False)
    client = await connect()
    full = await client(functions.channels.GetFullChannelRequest("news_ar"))
    pts = full.full_chat.pts
    assert full.chats[0].left is True
    new = world.post(ch, "new")
    world.edit(ch, first, "first, edited")
    world.delete(ch, [first])
    entity = await client.get_input_entity("news_ar")
    diff = await client(_difference(entity, pts))
    assert isinstance(diff, types.updates.ChannelDifference)
    assert [m.id for m in diff.new_messages] == [new]
    assert [type(u).__name__ for u in diff.other_updates] == ["UpdateDeleteChannelMessages"]
    assert diff.final and diff.pts == world.channel(ch)["pts"]
    assert world.members(ch) == []


async def test_limit_is_honoured_and_a_longer_gap_is_too_long(world: World, connect) -> None:
    ch = world.channel_ids()[0]
    client = await connect()
    entity = await client.get_input_entity("news_ar")
    pts = world.channel(ch)["pts"]
    ids = [world.post(ch, f"post {i}", push=False) for i in range(12)]
    exact = await client(_difference(entity, pts, limit=12))
    assert [m.id for m in exact.new_messages] == ids and exact.final
    too_long = await client(_difference(entity, pts, limit=10))
    assert isinstance(too_long, types.updates.ChannelDifferenceTooLong)
    assert too_long.dialog.pts == world.channel(ch)["pts"]
    assert too_long.dialog.top_message == ids[-1]
    assert [m.id for m in too_long.messages] == sorted(ids, reverse=True)[:10]
    assert too_long.final
