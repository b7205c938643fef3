"""Every kind of post in a generated world round-trips into the store through the archiver."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from archiver.db.schema import media_files, message_media, messages
from archiver.simulator import ChannelSpec, generate_world
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels

_DOC_KINDS = {"animated_sticker": "sticker", "video_sticker": "sticker"}
_OTHER = {
    "Photo": "photo",
    "Poll": "poll",
    "Geo": "geo",
    "Venue": "venue",
    "Contact": "contact",
    "WebPage": "webpage",
    "Dice": "dice",
}


def _expected_kind(media: dict | None) -> str | None:
    if not media:
        return None
    if media["_"] == "Document":
        return _DOC_KINDS.get(media["kind"], media["kind"])
    return _OTHER[media["_"]]


def _loads(value):
    return json.loads(value) if isinstance(value, str) else value


async def test_every_kind_of_post_is_stored_faithfully(tmp_path, make_config, sim_worker) -> None:
    world = generate_world(
        tmp_path / "gen.sqlite",
        seed=3,
        channels=[ChannelSpec("every_kind", "Every kind", lang="uk", posts=400, media=True)],
    )
    config = make_config({"simulator": {"world": str(world.path)}})
    cid = world.channel_id("every_kind")
    expected = {m["msg_id"]: m for m in world.messages(cid)}
    async with sim_worker(config) as ctx:
        assert (await add_channel(ctx, "@every_kind")).error is None
        report = await sync_channels(ctx)
        assert report.ok, report
        async with ctx.read() as conn:
            rows = {
                r.msg_id: r
                for r in await conn.execute(sa.select(messages).where(messages.c.channel_id == cid))
            }
            files = (
                await conn.execute(
                    sa.select(
                        messages.c.msg_id,
                        message_media.c.status,
                        media_files.c.path,
                        media_files.c.sha256,
                    )
                    .join(message_media, message_media.c.message_id == messages.c.id)
                    .outerjoin(media_files, media_files.c.sha256 == message_media.c.sha256)
                )
            ).all()
    assert rows.keys() == expected.keys()
    kinds_seen = set()
    for msg_id, want in expected.items():
        got = rows[msg_id]
        media = _loads(want["media"])
        kinds_seen.add(_expected_kind(media))
        assert got.text == (want["text"] or ""), msg_id
        assert got.media_kind == _expected_kind(media), msg_id
        assert len(got.entities or []) == len(_loads(want["entities"]) or []), msg_id
        assert got.grouped_id == want["grouped_id"]
        assert (got.fwd_from is not None) == (want["fwd"] is not None), msg_id
        assert (got.action is not None) == (want["action"] is not None), msg_id
        if want["reply_to"]:
            assert got.reply_to_msg_id == int(want["reply_to"]), msg_id
        if want["reactions"]:
            total = sum(_loads(want["reactions"]).values())
            assert sum(r["count"] for r in got.reactions) == total
        assert got.raw and got.post_author == want["post_author"]
    assert {
        "photo",
        "video",
        "gif",
        "round",
        "voice",
        "audio",
        "document",
        "sticker",
        "poll",
        "geo",
        "venue",
        "contact",
        "webpage",
        "dice",
        None,
    } <= kinds_seen
    assert {f.status for f in files} == {"stored"}
    for msg_id, _, path, sha in files:
        data = (config.media_dir / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        want = _loads(expected[msg_id]["media"])
        if want.get("file_id"):
            assert data == world.file_bytes(want["file_id"])
