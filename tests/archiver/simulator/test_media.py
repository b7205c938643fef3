"""Downloads return the world's bytes; chosen calls fail with the right Telethon errors."""

import pytest
from telethon import errors

from archiver.simulator import Document, Photo, World
from archiver.simulator.media_files import ogg_opus_silence, png_gradient


@pytest.fixture
def media_posts(world: World) -> int:
    ch = world.channel_ids()[0]
    world.post(ch, "a photo", media=Photo(png_gradient(64, 48, 7)), push=False)
    big = bytes(range(256)) * 2000  # 512000 bytes: several 128 KiB chunks, short last one
    world.post(
        ch,
        "a file",
        media=Document(big, "application/octet-stream", file_name="blob.bin"),
        push=False,
    )
    world.post(
        ch, "voice", media=Document(ogg_opus_silence(1, 1), "audio/ogg", "voice"), push=False
    )
    return ch


def file_id(world, ch, msg_id):
    return world.messages(ch)[msg_id - 1]["media"]["file_id"]


async def test_downloads_match_world_bytes(world, media_posts, connect):
    client = await connect()
    photo, doc, voice = await client.get_messages("news_ar", ids=[1, 2, 3])
    assert await client.download_media(photo, bytes) == world.file_bytes(
        file_id(world, media_posts, 1)
    )
    assert await client.download_media(doc, bytes) == world.file_bytes(
        file_id(world, media_posts, 2)
    )
    assert voice.voice is not None
    assert (await client.download_media(voice, bytes)).startswith(b"OggS")


async def test_channel_photo_downloads(world, connect):
    client = await connect()
    data = await client.download_profile_photo("news_ar", bytes)
    ch = world.channel(world.channel_ids()[0])
    assert data == world.file_bytes(ch["photo_id"])


async def test_flood_wait_is_raised_with_seconds(world, connect):
    client = await connect()
    world.fail_next("GetHistoryRequest", "FLOOD_WAIT_30")
    with pytest.raises(errors.FloodWaitError) as info:
        await client.get_messages("news_ar", limit=5)
    assert info.value.seconds == 30


async def test_file_reference_expired_for_photo(world, media_posts, connect):
    client = await connect()
    photo = await client.get_messages("news_ar", ids=1)
    world.fail_next("GetFileRequest", "FILE_REFERENCE_EXPIRED")
    with pytest.raises(errors.FileReferenceExpiredError):
        await client.download_media(photo, bytes)


async def test_injected_failure_can_target_one_channel(world, connect):
    other = world.add_channel("other_ch", "Other")
    world.post(other, "x", push=False)
    world.post(world.channel_id("news_ar"), "unaffected", push=False)
    world.fail_next("GetHistoryRequest", "CHANNEL_PRIVATE", channel=other)
    client = await connect()
    assert [m.text for m in await client.get_messages("news_ar", limit=1)] == ["unaffected"]
    with pytest.raises(errors.ChannelPrivateError):
        await client.get_messages("other_ch", limit=1)
