"""Several accounts in one world: own sessions and access hashes, and per-account troubles."""

import pytest
from telethon import errors, functions, types

from archiver.simulator.auth import LOGIN_CODE


async def _signed_in(connect, phone: str):
    client = await connect(authorized=False)
    await client.send_code_request(phone)
    await client.sign_in(phone, LOGIN_CODE)
    return client


async def _resolve(client, username: str) -> types.Channel:
    found = await client(functions.contacts.ResolveUsernameRequest(username))
    return found.chats[0]


async def test_each_account_signs_in_as_itself_and_has_its_own_access_hash(world, connect):
    world.add_account("Second", "15550000002")
    first = await _signed_in(connect, "+15550000000")
    second = await _signed_in(connect, "+15550000002")
    assert (await first.get_me()).first_name == "Archivist"
    assert (await second.get_me()).first_name == "Second"
    mine, theirs = await _resolve(first, "news_ar"), await _resolve(second, "news_ar")
    assert mine.id == theirs.id and mine.access_hash != theirs.access_hash
    with pytest.raises(errors.ChannelInvalidError):  # a hash is only good for its account
        await second(
            functions.channels.GetFullChannelRequest(types.InputChannel(mine.id, mine.access_hash))
        )


async def test_a_ban_from_a_channel_hides_it_from_that_account_alone(world, connect):
    banned_id = world.add_account("Banned", "15550000002")
    ch = world.channel_id("news_ar")
    world.post(ch, text="hello", push=False)
    other = await _signed_in(connect, "+15550000000")
    banned = await _signed_in(connect, "+15550000002")
    chat = await _resolve(banned, "news_ar")
    world.ban_account(ch, banned_id)
    peer = types.InputChannel(chat.id, chat.access_hash)
    forbidden = await banned(functions.channels.GetChannelsRequest([peer]))
    assert isinstance(forbidden.chats[0], types.ChannelForbidden)
    with pytest.raises(errors.ChannelPrivateError):
        await banned.get_messages(types.InputPeerChannel(chat.id, chat.access_hash), limit=5)
    assert [m.text for m in await other.get_messages("news_ar", limit=5)] == ["hello"]


async def test_a_flooded_account_waits_while_the_others_read(world, connect):
    flooded_id = world.add_account("Flooded", "15550000002")
    other = await _signed_in(connect, "+15550000000")
    flooded = await _signed_in(connect, "+15550000002")
    world.flood_account(flooded_id, 3600)
    with pytest.raises(errors.FloodWaitError) as caught:
        await _resolve(flooded, "news_ar")
    assert 3590 <= caught.value.seconds <= 3600
    assert (await _resolve(other, "news_ar")).username == "news_ar"


async def test_a_deactivated_account_gets_nothing_more(world, connect):
    gone_id = world.add_account("Gone", "15550000002")
    gone = await _signed_in(connect, "+15550000002")
    world.deactivate_account(gone_id)
    with pytest.raises(errors.UserDeactivatedBanError):
        await _resolve(gone, "news_ar")
    fresh = await connect(authorized=False)
    with pytest.raises(errors.PhoneNumberBannedError):
        await fresh.send_code_request("+15550000002")
