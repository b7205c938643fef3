"""Private, deleted, banned, restricted and renamed channels answer as Telegram does."""

import pytest
from telethon import errors, functions, types


async def test_resolve_unknown_username(connect):
    client = await connect()
    with pytest.raises(errors.UsernameNotOccupiedError):
        await client(functions.contacts.ResolveUsernameRequest("nobody_here"))
    with pytest.raises(ValueError, match="No user has"):
        await client.get_entity("@nobody_here")


async def test_get_entity_and_full_channel(world, connect):
    client = await connect()
    entity = await client.get_entity("@news_ar")
    assert entity.title == "أخبار" and entity.broadcast
    full = await client(functions.channels.GetFullChannelRequest(entity))
    assert full.full_chat.about == "about text"
    assert isinstance(full.full_chat.chat_photo, types.Photo)


async def test_private_channel(world, connect):
    client = await connect()
    entity = await client.get_input_entity("news_ar")
    world.make_private(world.channel_ids()[0])
    chats = await client(functions.channels.GetChannelsRequest([entity]))
    assert isinstance(chats.chats[0], types.ChannelForbidden)
    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages(entity, limit=1)
    with pytest.raises(errors.ChannelPrivateError):
        await client(functions.channels.GetFullChannelRequest(entity))


async def test_deleted_channel(world, connect):
    client = await connect()
    entity = await client.get_input_entity("news_ar")
    world.delete_channel(world.channel_ids()[0])
    with pytest.raises(errors.ChannelInvalidError):
        await client.get_messages(entity, limit=1)
    with pytest.raises(errors.UsernameNotOccupiedError):
        await client(functions.contacts.ResolveUsernameRequest("news_ar"))


async def test_banned_channel_is_restricted_and_empty(world, connect):
    ch = world.channel_ids()[0]
    world.post(ch, "soon hidden", push=False)
    client = await connect()
    world.ban(ch, "Blocked for violating terms")
    entity = await client.get_entity("news_ar")
    assert entity.restricted
    reason = entity.restriction_reason[0]
    assert (reason.platform, reason.reason, reason.text) == (
        "all",
        "terms",
        "Blocked for violating terms",
    )
    assert (await client.get_messages(entity, limit=10)) == []
    world.restore(ch)
    assert len(await client.get_messages(entity, limit=10)) == 1


async def test_platform_restriction_keeps_content(world, connect):
    ch = world.channel_ids()[0]
    world.post(ch, "still here", push=False)
    world.restrict(ch, platform="ios", reason="porn", text="Unavailable on iOS")
    client = await connect()
    entity = await client.get_entity("news_ar")
    assert entity.restricted and entity.restriction_reason[0].platform == "ios"
    assert len(await client.get_messages(entity, limit=10)) == 1


async def test_username_moves_to_another_channel(world, connect):
    old = world.channel_ids()[0]
    new = world.add_channel("fresh_one", "Fresh")
    world.set_username(new, "news_ar")
    client = await connect()
    assert (await client.get_entity("news_ar")).id == new
    assert world.channel(old)["username"] is None
    world.rename(new, "Renamed")
    assert (await client.get_entity("news_ar")).title == "Renamed"


async def test_outage_fails_requests_and_blocks_reconnect(world, connect):
    world.post(world.channel_id("news_ar"), "after the outage", push=False)
    client = await connect(connection_retries=1, retry_delay=0)
    world.set_outage(True)
    with pytest.raises(ConnectionError):
        await client.get_messages("news_ar", limit=1)
    assert not client.is_connected()
    with pytest.raises(ConnectionError):
        await client.connect()
    world.set_outage(False)
    await client.connect()
    assert [m.text for m in await client.get_messages("news_ar", limit=1)] == ["after the outage"]
