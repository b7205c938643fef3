"""Live updates of joined channels reach Telethon's event handlers, from this process or another
one."""

import subprocess
import sys

from telethon import events, functions, types
from waiting import wait_until

from archiver.simulator import World


def wait_for(predicate):
    """Until ``predicate()`` holds, the client's update loop running meanwhile."""
    return wait_until(predicate, seconds=5, every=0.05, what="an update")


async def test_new_edit_delete_reach_handlers(world, connect):
    ch = world.channel_ids()[0]
    world.join(ch)
    client = await connect()
    new, edited, deleted = [], [], []
    client.add_event_handler(lambda e: new.append(e.message.text), events.NewMessage())
    client.add_event_handler(lambda e: edited.append(e.message.text), events.MessageEdited())
    client.add_event_handler(
        lambda e: deleted.append((e.chat_id, e.deleted_ids)), events.MessageDeleted()
    )
    mid = world.post(ch, "hello")
    await wait_for(lambda: new == ["hello"])
    world.edit(ch, mid, "hello, edited")
    await wait_for(lambda: edited == ["hello, edited"])
    world.delete(ch, [mid])
    await wait_for(lambda: deleted == [(-1000000000000 - ch, [mid])])


async def test_gap_is_recovered_through_channel_difference(world, connect):
    ch = world.channel_ids()[0]
    world.join(ch)
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.id), events.NewMessage())
    world.post(ch, "first")
    await wait_for(lambda: seen == [1])
    world.post(ch, "missed", push=False)  # takes a pts but is never pushed
    world.post(ch, "third")
    await wait_for(lambda: sorted(seen) == [1, 2, 3])


async def test_second_handle_on_the_file_is_seen(world, connect):
    world.join(world.channel_ids()[0])
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.text), events.NewMessage())
    other = World.open(world.path)
    other.post(other.channel_ids()[0], "from another handle")
    await wait_for(lambda: seen == ["from another handle"])


async def test_another_process_posting_is_seen(world, connect):
    world.join(world.channel_ids()[0])
    client = await connect()
    seen = []
    client.add_event_handler(lambda e: seen.append(e.message.text), events.NewMessage())
    code = (
        "import sys; from archiver.simulator import World; w = World.open(sys.argv[1]);"
        " w.post(w.channel_ids()[0], 'from a subprocess')"
    )
    subprocess.run([sys.executable, "-c", code, str(world.path)], check=True)
    await wait_for(lambda: seen == ["from a subprocess"])


async def test_channel_difference_is_truthful(world, connect):
    ch = world.channel_ids()[0]
    for i in range(5):
        world.post(ch, f"old {i}", push=False)
    client = await connect()
    entity = await client.get_input_entity("news_ar")
    pts = world.channel(ch)["pts"]
    world.post(ch, "new", push=False)
    world.edit(ch, 2, "edited", push=False)
    world.delete(ch, [3])
    request = functions.updates.GetChannelDifferenceRequest(
        channel=entity, filter=types.ChannelMessagesFilterEmpty(), pts=pts, limit=100
    )
    diff = await client(request)
    assert [m.message for m in diff.new_messages] == ["new"]
    kinds = {type(u).__name__: u for u in diff.other_updates}
    assert kinds["UpdateEditChannelMessage"].message.message == "edited"
    assert kinds["UpdateDeleteChannelMessages"].messages == [3]
    assert diff.final and diff.pts == world.channel(ch)["pts"]
    request.pts = diff.pts
    assert isinstance(await client(request), types.updates.ChannelDifferenceEmpty)
    request.pts = 1
    for i in range(1100):
        world.post(ch, f"flood {i}", push=False)
    assert isinstance(await client(request), types.updates.ChannelDifferenceTooLong)
