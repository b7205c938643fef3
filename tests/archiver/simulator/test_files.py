"""File references that expire, JPEG thumbnails, and upload.getFile's offset/limit rules."""

import asyncio
import io

import pytest
from PIL import Image
from telethon import errors, functions, types

from archiver.simulator import Document, Photo, World
from archiver.simulator.datacenters import HOME_DC
from archiver.simulator.file_serving import range_problem
from archiver.simulator.media_files import mp4_minimal, png_gradient

MIB = 1 << 20


@pytest.fixture
def posts(world: World) -> int:
    """@news_ar with a photo (1), a 2.5 MiB document (2) and a 1280x720 video (3), all on the
    account's own DC."""
    ch = world.channel_ids()[0]
    world.post(ch, "photo", media=Photo(png_gradient(64, 48, 1)), push=False)
    big = bytes(range(256)) * (10 * 1024)  # 2.5 MiB
    world.post(ch, "doc", media=Document(big, "application/zip", file_name="a.zip"), push=False)
    video = Document(
        mp4_minimal(5, 1), "video/mp4", "video", "v.mp4", duration=5, width=1280, height=720
    )
    world.post(ch, "video", media=video, push=False)
    for message in world.messages(ch):
        world.set_file_dc(message["media"]["file_id"], HOME_DC)
    return ch


def file_id(world: World, ch: int, msg_id: int) -> int:
    return world.messages(ch)[msg_id - 1]["media"]["file_id"]


def doc_location(doc: types.Document, thumb: str = "") -> types.InputDocumentFileLocation:
    return types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, thumb)


async def test_an_old_file_reference_expires(world, posts, connect):
    world.set_file_reference_lifetime(0.3)
    client = await connect()
    doc = (await client.get_messages("news_ar", ids=2)).document
    await asyncio.sleep(0.4)
    with pytest.raises(errors.FileReferenceExpiredError):
        await client(functions.upload.GetFileRequest(doc_location(doc), 0, 4096))


async def test_telethon_refetches_an_expired_document(world, posts, connect):
    world.set_file_reference_lifetime(0.3)
    client = await connect()
    message = await client.get_messages("news_ar", ids=2)
    await asyncio.sleep(0.4)
    assert await client.download_media(message, bytes) == world.file_bytes(file_id(world, posts, 2))


async def test_an_expired_photo_needs_the_message_again(world, posts, connect):
    world.set_file_reference_lifetime(0.3)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    await asyncio.sleep(0.4)
    with pytest.raises(errors.FileReferenceExpiredError):
        await client.download_media(message, bytes)
    fresh = await client.get_messages("news_ar", ids=1)
    assert await client.download_media(fresh, bytes) == world.file_bytes(file_id(world, posts, 1))


async def test_a_forged_file_reference_is_invalid(world, posts, connect):
    client = await connect()
    doc = (await client.get_messages("news_ar", ids=2)).document
    doc.file_reference = bytes(16)
    with pytest.raises(errors.FileReferenceInvalidError):
        await client(functions.upload.GetFileRequest(doc_location(doc), 0, 4096))


async def test_a_video_carries_a_real_jpeg_thumbnail(world, posts, connect):
    client = await connect()
    message = await client.get_messages("news_ar", ids=3)
    [thumb] = message.document.thumbs
    assert (thumb.type, thumb.w, thumb.h) == ("m", 320, 180)
    data = await client.download_media(message, bytes, thumb=-1)
    assert len(data) == thumb.size
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (320, 180))
    fid = file_id(world, posts, 3)
    assert data == world.file_bytes(world.thumb_file_id(fid))


async def test_documents_have_thumbnails_and_voice_notes_do_not(world, connect):
    ch = world.channel_ids()[0]
    world.post(ch, "pdf", media=Document(b"%PDF-1.4 x", "application/pdf"), push=False)
    world.post(ch, "voice", media=Document(b"OggS", "audio/ogg", "voice"), push=False)
    world.post(ch, "bare", media=Document(b"x", "text/plain", thumb=False), push=False)
    client = await connect()
    pdf, voice, bare = await client.get_messages("news_ar", ids=[1, 2, 3])
    assert [t.type for t in pdf.document.thumbs] == ["m"]
    assert voice.document.thumbs is None
    assert bare.document.thumbs is None


async def test_an_unknown_thumbnail_size_is_an_invalid_location(world, posts, connect):
    client = await connect()
    doc = (await client.get_messages("news_ar", ids=3)).document
    with pytest.raises(errors.LocationInvalidError):
        await client(functions.upload.GetFileRequest(doc_location(doc, "x"), 0, 4096))


@pytest.mark.parametrize(
    ("offset", "limit", "precise", "error"),
    [
        (0, MIB, False, None),
        (MIB, 512 * 1024, False, None),
        (4096, 4096, False, None),
        (1024, 4096, False, "OFFSET_INVALID"),  # offset not a multiple of 4 KiB
        (0, 1000, False, "LIMIT_INVALID"),  # limit not a multiple of 4 KiB
        (0, 3 * 4096, False, "LIMIT_INVALID"),  # 1 MiB is not a multiple of limit
        (0, 2 * MIB, False, "LIMIT_INVALID"),
        (983040, 131072, False, "LIMIT_INVALID"),  # crosses the 1 MiB boundary
        (1024, 3 * 1024, True, None),  # precise: 1 KiB multiples, any limit up to 1 MiB
        (512, 1024, True, "OFFSET_INVALID"),
        (0, 2 * MIB, True, "LIMIT_INVALID"),
        (MIB - 1024, 2048, True, "LIMIT_INVALID"),  # still within one 1 MiB block
        (-4096, 4096, False, "OFFSET_INVALID"),
    ],
)
def test_offset_and_limit_rules(offset, limit, precise, error):
    assert range_problem(offset, limit, precise) == error


async def test_get_file_enforces_the_rules_on_the_wire(world, posts, connect):
    client = await connect()
    doc = (await client.get_messages("news_ar", ids=2)).document
    data = world.file_bytes(file_id(world, posts, 2))
    part = await client(functions.upload.GetFileRequest(doc_location(doc), MIB, MIB))
    assert part.bytes == data[MIB : 2 * MIB]
    with pytest.raises(errors.LimitInvalidError):
        await client(functions.upload.GetFileRequest(doc_location(doc), 983040, 131072))
    with pytest.raises(errors.OffsetInvalidError):
        await client(functions.upload.GetFileRequest(doc_location(doc), 1024, 4096))
    precise = functions.upload.GetFileRequest(doc_location(doc), 1024, 3072, precise=True)
    assert (await client(precise)).bytes == data[1024:4096]
