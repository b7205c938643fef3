"""Generated worlds are deterministic, fast, and carry every kind of post."""

from telethon.tl import types

from archiver.simulator import ChannelSpec, generate_world


def test_same_seed_same_world(tmp_path):
    spec = [ChannelSpec("news_fa", lang="fa", posts=300)]
    a = generate_world(tmp_path / "a.sqlite", seed=3, channels=spec)
    b = generate_world(tmp_path / "b.sqlite", seed=3, channels=spec)
    ch = a.channel_id("news_fa")
    assert a.messages(ch) == b.messages(ch)


def test_a_large_text_only_channel_is_generated_whole(tmp_path):
    world = generate_world(
        tmp_path / "w.sqlite",
        channels=[
            ChannelSpec("big_ru", lang="ru", posts=20_000, media=False),
        ],
    )
    assert len(world.messages(world.channel_id("big_ru"))) == 20_000


async def test_every_kind_of_post_parses(tmp_path, connect):
    world = generate_world(
        tmp_path / "g.sqlite",
        seed=2,
        channels=[
            ChannelSpec("news_ar", lang="ar", posts=1500, linked_discussion=True, signatures=True),
        ],
    )
    client = await connect(path=world.path)
    msgs = [m async for m in client.iter_messages("news_ar", wait_time=0)]
    assert len(msgs) == 1500
    media = {type(m.media).__name__ for m in msgs if m.media}
    assert media >= {
        "MessageMediaPhoto",
        "MessageMediaDocument",
        "MessageMediaPoll",
        "MessageMediaGeo",
        "MessageMediaVenue",
        "MessageMediaContact",
        "MessageMediaWebPage",
        "MessageMediaDice",
    }
    docs = {m.document.mime_type for m in msgs if m.document}
    assert docs >= {
        "video/mp4",
        "application/pdf",
        "audio/mpeg",
        "audio/ogg",
        "image/png",
        "application/x-tgsticker",
        "video/webm",
    }
    assert any(m.grouped_id for m in msgs) and any(m.fwd_from for m in msgs)
    assert any(m.reply_to for m in msgs) and any(m.post_author for m in msgs)
    assert {type(m.action) for m in msgs if m.action} >= {
        types.MessageActionChannelCreate,
        types.MessageActionChatEditTitle,
    }
    entity_kinds = {type(e).__name__ for m in msgs for e in (m.entities or [])}
    assert len(entity_kinds) == 15
    shas = [
        m["media"]["file_id"]
        for m in world.messages(world.channel_id("news_ar"))
        if m["media"] and m["media"]["_"] == "Photo"
    ]
    blobs = [world.file_bytes(f) for f in shas]
    assert len(set(blobs)) < len(blobs)  # identical bytes under different file ids


async def test_comments_in_linked_discussion(world, connect):
    ch = world.add_channel("with_chat", "With chat", linked_discussion=True)
    post = world.post(ch, "discuss me", push=False)
    world.comment(ch, post, "first!", push=False)
    world.comment(ch, post, "second", push=False)
    client = await connect()
    msg = await client.get_messages("with_chat", ids=post)
    assert msg.replies.replies == 2 and msg.replies.comments
    comments = [m.text async for m in client.iter_messages("with_chat", reply_to=post)]
    assert comments == ["second", "first!"]
