"""Files on DCs 1-5: FILE_MIGRATE on the wrong DC, and Telethon's exported-sender path."""

import pytest
from telethon import errors, functions, types

from archiver.simulator import Document, World
from archiver.simulator.datacenters import DC_IDS, HOME_DC
from archiver.simulator.sender import SimulatedSender


@pytest.fixture
def doc_post(world: World) -> tuple[int, int]:
    """(channel, file id) of a post carrying a 300 KB document."""
    ch = world.channel_ids()[0]
    data = bytes(range(256)) * 1200
    world.post(
        ch, "doc", media=Document(data, "application/octet-stream", file_name="a.bin"), push=False
    )
    return ch, world.messages(ch)[-1]["media"]["file_id"]


def location(doc: types.Document) -> types.InputDocumentFileLocation:
    return types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")


async def test_config_lists_every_dc(connect):
    client = await connect()
    config = await client(functions.help.GetConfigRequest())
    assert sorted({o.id for o in config.dc_options}) == list(DC_IDS)
    assert config.this_dc == HOME_DC


async def test_files_are_spread_over_the_dcs(world: World, connect):
    ch = world.channel_ids()[0]
    for n in range(30):
        world.post(ch, f"f{n}", media=Document(b"x%d" % n, "text/plain"), push=False)
    dcs = {m["media"]["file_id"]: 0 for m in world.messages(ch) if m["media"]}
    assert {world.file_dc(f) for f in dcs} == set(DC_IDS)
    client = await connect()
    messages = await client.get_messages("news_ar", limit=30)
    assert {m.document.dc_id for m in messages} == set(DC_IDS)


async def test_get_file_on_the_wrong_dc_answers_file_migrate(world, doc_post, connect):
    _, file_id = doc_post
    world.set_file_dc(file_id, 4)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    assert message.document.dc_id == 4
    with pytest.raises(errors.FileMigrateError) as info:
        await client(functions.upload.GetFileRequest(location(message.document), 0, 4096))
    assert info.value.new_dc == 4


async def test_download_from_another_dc_uses_an_exported_sender(world, doc_post, connect):
    _, file_id = doc_post
    world.set_file_dc(file_id, 5)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    assert await client.download_media(message, bytes) == world.file_bytes(file_id)
    # The token exported on the main connection was imported (and used up) on DC 5's.
    left = world.conn.execute("SELECT COUNT(*) FROM exported_authorizations").fetchone()[0]
    assert left == 0


async def test_a_file_that_moved_is_followed_by_file_migrate(world, doc_post, connect):
    _, file_id = doc_post
    world.set_file_dc(file_id, 1)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)  # says DC 1
    world.set_file_dc(file_id, 3)
    assert await client.download_media(message, bytes) == world.file_bytes(file_id)


async def test_exporting_to_the_current_dc_is_refused(connect):
    client = await connect()
    with pytest.raises(errors.DcIdInvalidError):
        await client(functions.auth.ExportAuthorizationRequest(HOME_DC))


async def test_a_second_connection_needs_an_imported_authorization(world, doc_post, connect):
    _, file_id = doc_post
    world.set_file_dc(file_id, 3)
    client = await connect()
    message = await client.get_messages("news_ar", ids=1)
    sender = SimulatedSender(client, world.path, authorized=False, dc_id=3)
    await sender.connect(None)
    try:
        request = functions.upload.GetFileRequest(location(message.document), 0, 4096)
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await sender.send(request)
        bad = functions.auth.ImportAuthorizationRequest(id=1, bytes=b"forged")
        with pytest.raises(errors.AuthBytesInvalidError):
            await sender.send(bad)
        auth = await client(functions.auth.ExportAuthorizationRequest(3))
        await sender.send(functions.auth.ImportAuthorizationRequest(auth.id, auth.bytes))
        part = await sender.send(request)
        assert part.bytes == world.file_bytes(file_id)[:4096]
    finally:
        await sender.disconnect()
