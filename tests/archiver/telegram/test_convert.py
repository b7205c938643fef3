"""Telethon objects (built, serialised and parsed back from wire bytes) -> rows."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from telethon.extensions import BinaryReader
from telethon.tl import types

from archiver.telegram.convert import channel_row, message_row

CH = 1234567
DATE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TS = int(DATE.timestamp())


def wire(obj):
    """The object as Telegram would send it: serialised, then parsed by Telethon."""
    return BinaryReader(bytes(obj)).tgread_object()


def msg(**kw):
    kw.setdefault("message", "")
    return wire(types.Message(id=kw.pop("id", 10), peer_id=types.PeerChannel(CH), date=DATE, **kw))


def photo(pid=77, w=800, h=600):
    sizes = [types.PhotoSize("m", 320, 240, 5000), types.PhotoSize("y", w, h, 90000)]
    return types.Photo(pid, 1, b"ref", DATE, sizes, 2)


def document(mime, attrs, did=88, size=4096, thumbs=None):
    return types.Document(did, 2, b"ref", DATE, mime, size, 2, attrs, thumbs=thumbs)


def test_text_and_every_entity_type_keep_utf16_offsets() -> None:
    text = "🔥 خبر عاجل bold link"
    entities = [
        types.MessageEntityBold(0, 2),
        types.MessageEntityItalic(3, 3),
        types.MessageEntityUnderline(0, 1),
        types.MessageEntityStrike(0, 1),
        types.MessageEntityCode(0, 1),
        types.MessageEntityPre(0, 1, "python"),
        types.MessageEntityTextUrl(12, 4, "https://example.org"),
        types.MessageEntityUrl(0, 1),
        types.MessageEntityEmail(0, 1),
        types.MessageEntityPhone(0, 1),
        types.MessageEntityMention(0, 1),
        types.MessageEntityMentionName(0, 1, 42),
        types.MessageEntityHashtag(0, 1),
        types.MessageEntityCashtag(0, 1),
        types.MessageEntityBotCommand(0, 1),
        types.MessageEntitySpoiler(0, 1),
        types.MessageEntityBlockquote(0, 1, collapsed=True),
        types.MessageEntityCustomEmoji(0, 2, 5368324170671202286),
        types.MessageEntityBankCard(0, 1),
    ]
    row = message_row(msg(message=text, entities=entities), CH)
    kinds = [e["type"] for e in row.entities]
    assert kinds == [
        "bold",
        "italic",
        "underline",
        "strike",
        "code",
        "pre",
        "text_url",
        "url",
        "email",
        "phone",
        "mention",
        "mention_name",
        "hashtag",
        "cashtag",
        "bot_command",
        "spoiler",
        "blockquote",
        "custom_emoji",
        "bank_card",
    ]
    assert row.entities[0] == {"type": "bold", "offset": 0, "length": 2}  # 🔥 is 2 UTF-16 units
    assert row.entities[5]["language"] == "python"
    assert row.entities[6]["url"] == "https://example.org"
    assert row.entities[11]["user_id"] == 42
    assert row.entities[16]["collapsed"] is True
    assert row.entities[17]["document_id"] == 5368324170671202286
    assert (row.text, row.date, row.raw[:4]) == (text, TS, bytes(msg(message=text))[:4])


def test_photo_becomes_one_file_with_largest_size() -> None:
    row = message_row(msg(media=types.MessageMediaPhoto(photo=photo())), CH)
    assert row.media_kind == "photo"
    assert row.media == {"width": 800, "height": 600, "spoiler": False}
    (f,) = row.files
    assert (f.kind, f.tg_file_id, f.size, f.width, f.height) == ("photo", 77, 90000, 800, 600)


def _doc_kind(mime, attrs, thumbs=None):
    media = types.MessageMediaDocument(document=document(mime, attrs, thumbs=thumbs))
    return message_row(msg(media=media), CH)


def test_document_kinds_from_attributes() -> None:
    video = types.DocumentAttributeVideo(12.5, 640, 360)
    cases = {
        "video": ("video/mp4", [video]),
        "gif": ("video/mp4", [video, types.DocumentAttributeAnimated()]),
        "round": ("video/mp4", [types.DocumentAttributeVideo(5, 240, 240, round_message=True)]),
        "voice": ("audio/ogg", [types.DocumentAttributeAudio(3, voice=True)]),
        "audio": ("audio/mpeg", [types.DocumentAttributeAudio(200, title="Song", performer="X")]),
        "document": ("application/pdf", [types.DocumentAttributeFilename("report.pdf")]),
    }
    for kind, (mime, attrs) in cases.items():
        row = _doc_kind(mime, attrs)
        assert (row.media_kind, row.files[0].kind, row.files[0].mime) == (kind, kind, mime)
    audio = _doc_kind(*cases["audio"])
    assert (audio.media["title"], audio.media["performer"]) == ("Song", "X")
    assert _doc_kind(*cases["document"]).files[0].file_name == "report.pdf"
    assert _doc_kind(*cases["video"]).media["duration"] == 12.5


def test_stickers_static_animated_and_video() -> None:
    sticker = types.DocumentAttributeSticker("😀", types.InputStickerSetEmpty())
    formats = {"image/webp": "static", "application/x-tgsticker": "tgs", "video/webm": "webm"}
    for mime, fmt in formats.items():
        row = _doc_kind(mime, [sticker])
        assert (row.media_kind, row.media["format"], row.media["emoji"]) == ("sticker", fmt, "😀")


def test_video_thumbnail_is_a_second_file() -> None:
    thumbs = [types.PhotoSize("m", 320, 180, 3000)]
    row = _doc_kind("video/mp4", [types.DocumentAttributeVideo(1, 640, 360)], thumbs=thumbs)
    assert [(f.role, f.size) for f in row.files] == [("main", 4096), ("thumb", 3000)]


def test_poll_keeps_answers_and_results_apart() -> None:
    answers = [
        types.PollAnswer(types.TextWithEntities("Yes", []), b"0"),
        types.PollAnswer(types.TextWithEntities("No", []), b"1"),
    ]
    poll = types.Poll(1, types.TextWithEntities("Agree?", []), answers, hash=0, quiz=True)
    results = types.PollResults(
        results=[
            types.PollAnswerVoters(b"0", voters=7, correct=True, recent_voters=[]),
            types.PollAnswerVoters(b"1", voters=3, recent_voters=[]),
        ],
        total_voters=10,
    )
    row = message_row(msg(media=types.MessageMediaPoll(poll, results)), CH)
    assert row.media["question"] == "Agree?"
    assert [a["text"] for a in row.media["answers"]] == ["Yes", "No"]
    assert row.media["results"][0] == {"option": "30", "voters": 7, "correct": True}
    assert (row.media["total_voters"], row.media["quiz"]) == (10, True)


def test_geo_venue_contact_webpage_dice() -> None:
    point = types.GeoPoint(long=30.5, lat=50.45, access_hash=0)
    geo = message_row(msg(media=types.MessageMediaGeo(point)), CH)
    assert (geo.media_kind, geo.media["lat"], geo.media["long"]) == ("geo", 50.45, 30.5)
    venue = types.MessageMediaVenue(point, "Maidan", "Kyiv", "foursquare", "v1", "")
    assert message_row(msg(media=venue), CH).media["title"] == "Maidan"
    contact = types.MessageMediaContact("+380000", "Olena", "K", "", 0)
    assert message_row(msg(media=contact), CH).media["first_name"] == "Olena"
    page = types.WebPage(1, "https://ex.org/a", "ex.org/a", 0, title="Title", photo=photo(5))
    web = message_row(msg(media=types.MessageMediaWebPage(page)), CH)
    assert (web.media_kind, web.media["title"], web.files[0].kind) == ("webpage", "Title", "photo")
    dice = message_row(msg(media=types.MessageMediaDice(4, "🎲")), CH)
    assert dice.media == {"emoji": "🎲", "value": 4}


def test_forward_reply_reactions_counters_and_album() -> None:
    fwd = types.MessageFwdHeader(
        DATE, from_id=types.PeerChannel(999), channel_post=5, post_author="Ed"
    )
    reactions = types.MessageReactions(
        [
            types.ReactionCount(types.ReactionEmoji("👍"), 12),
            types.ReactionCount(types.ReactionCustomEmoji(555), 2),
            types.ReactionCount(types.ReactionPaid(), 1),
        ]
    )
    row = message_row(
        msg(
            message="x",
            fwd_from=fwd,
            reply_to=types.MessageReplyHeader(reply_to_msg_id=7),
            reactions=reactions,
            views=100,
            forwards=3,
            grouped_id=4242,
            post_author="Anna",
            edit_date=DATE,
            replies=types.MessageReplies(4, 0),
        ),
        CH,
    )
    assert row.fwd_from == {
        "from_type": "channel",
        "from_id": 999,
        "date": TS,
        "channel_post": 5,
        "post_author": "Ed",
    }
    assert (row.reply_to_msg_id, row.reply_to) == (7, {"msg_id": 7})
    assert row.reactions == [
        {"emoji": "👍", "count": 12},
        {"custom_emoji_id": 555, "count": 2},
        {"paid": True, "count": 1},
    ]
    assert (row.views, row.forwards, row.replies, row.grouped_id) == (100, 3, 4, 4242)
    assert (row.post_author, row.edit_date) == ("Anna", TS)


def test_service_messages_keep_their_action() -> None:
    def service(action, **kw):
        return wire(types.MessageService(11, types.PeerChannel(CH), DATE, action=action, **kw))

    created = message_row(service(types.MessageActionChannelCreate("Free news")), CH)
    assert created.action == {"type": "channel_create", "title": "Free news"}
    pinned = service(
        types.MessageActionPinMessage(), reply_to=types.MessageReplyHeader(reply_to_msg_id=3)
    )
    row = message_row(pinned, CH)
    assert (row.action, row.reply_to_msg_id) == ({"type": "pin_message"}, 3)
    photo_changed = message_row(service(types.MessageActionChatEditPhoto(photo())), CH)
    assert photo_changed.action == {"type": "chat_edit_photo", "has_photo": True}


def test_unknown_media_is_unsupported_not_a_crash() -> None:
    row = message_row(msg(media=types.MessageMediaUnsupported()), CH)
    assert (row.media_kind, row.media) == ("unsupported", {"type": "unsupported"})


def test_empty_message_gives_no_row() -> None:
    assert message_row(wire(types.MessageEmpty(5, types.PeerChannel(CH))), CH) is None


def test_channel_row_from_channel_and_full_info() -> None:
    chat = wire(
        types.Channel(
            CH,
            "Свободные вести",
            types.ChatPhotoEmpty(),
            DATE,
            broadcast=True,
            access_hash=99,
            username="svoboda",
            restricted=True,
            restriction_reason=[types.RestrictionReason("all", "terms", "Blocked")],
        )
    )
    full = types.ChannelFull(
        CH,
        "about text",
        0,
        0,
        0,
        types.PhotoEmpty(0),
        types.PeerNotifySettings(),
        [],
        0,
        participants_count=5000,
        linked_chat_id=777,
    )
    row = channel_row(chat, types.messages.ChatFull(full, [], []))
    assert (row.id, row.access_hash, row.username, row.title) == (
        CH,
        99,
        "svoboda",
        "Свободные вести",
    )
    assert (row.about, row.linked_chat_id, row.participants) == ("about text", 777, 5000)
    assert row.restriction == [{"platform": "all", "reason": "terms", "text": "Blocked"}]
    assert row.created_date == TS


entity_classes = st.sampled_from(
    [
        types.MessageEntityBold,
        types.MessageEntityItalic,
        types.MessageEntityCode,
        types.MessageEntitySpoiler,
        types.MessageEntityHashtag,
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=200),
    spans=st.lists(
        st.tuples(entity_classes, st.integers(0, 300), st.integers(0, 300)), max_size=10
    ),
    views=st.none() | st.integers(0, 2**31 - 1),
    grouped=st.none() | st.integers(-(2**63), 2**63 - 1),
)
def test_random_messages_never_raise(text, spans, views, grouped) -> None:
    entities = [cls(offset, length) for cls, offset, length in spans]
    row = message_row(
        msg(message=text, entities=entities, views=views, forwards=views, grouped_id=grouped), CH
    )
    assert row is not None and row.text == text


def test_a_ten_thousand_entity_message_from_the_wire_keeps_every_entity() -> None:
    text = "ab🔥 " * 10_000
    kinds = [types.MessageEntityBold, types.MessageEntityItalic, types.MessageEntitySpoiler]
    entities = [kinds[i % 3](5 * i, 3) for i in range(9_999)]
    entities.append(types.MessageEntityTextUrl(0, 50_000, "javascript:alert(1)"))
    row = message_row(msg(message=text, entities=entities), CH)
    assert len(row.entities) == 10_000
    assert row.entities[9_998] == {"type": "spoiler", "offset": 49_990, "length": 3}
    assert row.entities[-1]["url"] == "javascript:alert(1)"  # stored as sent; render drops it
