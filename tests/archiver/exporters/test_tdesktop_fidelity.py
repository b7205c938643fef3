"""Keys exactly as Telegram Desktop writes them (tdesktop export_output_json.cpp, 2025).

Desktop's pushPhoto writes ``photo_file_size`` (``file_size`` is for documents); a document
with a thumbnail gets ``thumbnail`` (its path + ``_thumb.jpg``) and ``thumbnail_file_size``;
spoilered media gets ``media_spoiler: true``; video stickers, like every document with a
video attribute, go to ``video_files/``; a sender whose name Desktop does not know is ``null``.
"""

from __future__ import annotations

from archiver.exporters.tdesktop_record import message_record
from archiver.store.posts import Post, PostFile


def _file(role: str, kind: str, **over) -> PostFile:
    values = dict(
        role=role,
        kind=kind,
        status="stored",
        sha256="ab" * 32,
        path="ab/ab/x.bin",
        mime="image/jpeg",
        size=1234,
        file_name=None,
        width=None,
        height=None,
        duration=None,
    )
    return PostFile(**{**values, **over})


def _post(**over) -> Post:
    values = dict(
        pk=1,
        channel_id=77,
        msg_id=5,
        date=1709287200,
        edit_date=None,
        text="",
        entities=None,
        media_kind=None,
        media=None,
        grouped_id=None,
        reply_to_msg_id=None,
        reply_to=None,
        fwd_from=None,
        views=None,
        forwards=None,
        replies=None,
        reactions=None,
        post_author=None,
        from_id=None,
        action=None,
        thread_channel_id=None,
        thread_msg_id=None,
        hidden=False,
        deleted_at=None,
        deleted_how=None,
        first_seen_at=1,
        captured_at=1,
        source="telegram",
        extra=None,
    )
    return Post(**{**values, **over})


def test_a_photo_has_photo_file_size_not_file_size() -> None:
    post = _post(
        media_kind="photo",
        media={"width": 10, "height": 8},
        files=[_file("main", "photo", width=10, height=8)],
    )
    record, _ = message_record(post, "Chan", [])
    assert record["photo_file_size"] == 1234
    assert "file_size" not in record
    assert (record["width"], record["height"]) == (10, 8)


def test_a_spoilered_photo_has_media_spoiler() -> None:
    post = _post(
        media_kind="photo",
        media={"width": 10, "height": 8, "spoiler": True},
        files=[_file("main", "photo")],
    )
    record, _ = message_record(post, "Chan", [])
    assert record["media_spoiler"] is True


def test_a_video_with_a_thumbnail_exports_both_files() -> None:
    post = _post(
        media_kind="video",
        media={"mime": "video/mp4", "duration": 3, "width": 4, "height": 3},
        files=[
            _file("main", "video", mime="video/mp4", file_name="clip.mp4", size=999),
            _file("thumb", "photo", sha256="cd" * 32, path="cd/cd/t.jpg", size=55),
        ],
    )
    record, copies = message_record(post, "Chan", [])
    assert record["file"].startswith("video_files/")
    assert record["thumbnail"] == record["file"] + "_thumb.jpg"
    assert record["thumbnail_file_size"] == 55
    assert sorted(c.store_path for c in copies) == ["ab/ab/x.bin", "cd/cd/t.jpg"]


def test_a_video_sticker_goes_to_video_files_like_desktop() -> None:
    post = _post(
        media_kind="sticker",
        media={"format": "webm", "emoji": "🙂"},
        files=[_file("main", "sticker", mime="video/webm")],
    )
    record, _ = message_record(post, "Chan", [])
    assert record["file"].startswith("video_files/")
    assert (record["media_type"], record["sticker_emoji"]) == ("sticker", "🙂")


def test_a_comment_sender_without_a_known_name_is_null() -> None:
    record, _ = message_record(_post(from_id=4242, text="hi"), "Chan", [])
    assert (record["from"], record["from_id"]) == (None, "user4242")
    channel_post, _ = message_record(_post(text="hi"), "Chan", [])
    assert (channel_post["from"], channel_post["from_id"]) == ("Chan", "channel77")
