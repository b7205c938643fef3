"""Telegram Desktop exports in the shapes Desktop really writes them, for round-trip tests.

Every key and value shape follows tdesktop's Telegram/SourceFiles/export/output/
export_output_json.cpp (SerializeMessage, SerializeText, pushPhoto, pushPath, the action
table) and export_data_types.cpp (ParseText: a nested entity is left out of the parts).
``date`` is local time at ``OFFSET`` (+03:00), as on the machine that made the export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

OFFSET = "+03:00"
ZONE = timezone(timedelta(hours=3))
CHANNEL, FORUM, LEFT, GROUP, PERSON = 1500000001, 1500000002, 1500000003, 4001, 5001
T0 = 1704103200  # 2024-01-01 10:00 UTC
SIZE_LIMIT = "(File exceeds maximum size. Change data exporting settings to download.)"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
UNAVAILABLE = "(File unavailable, please try again later)"
FILES = {
    "photos/photo_1@01-01-2024_13-00-00.jpg": b"\xff\xd8\xff\xe0" + b"p" * 60,
    "photos/photo_31@01-01-2024_13-31-00.jpg": b"\xff\xd8\xff\xe0" + b"g" * 60,
    "video_files/clip.mp4_thumb.jpg": b"\xff\xd8\xff\xe0" + b"t" * 40,
    "video_files/big.mp4_thumb.jpg": b"\xff\xd8\xff\xe0" + b"b" * 40,
    "video_files/clip.mp4": b"\x00\x00\x00\x18ftypmp42" + b"v" * 40,
    "voice_messages/audio_1@01-01-2024_13-05-00.ogg": b"OggS" + b"o" * 40,
    "files/report.pdf": b"%PDF-1.4\n" + b"d" * 40,
    "stickers/sticker.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"s" * 20,
    "round_video_messages/file_1@01-01-2024_13-07-00.mp4": b"\x00\x00\x00\x18ftypmp42" + b"r" * 9,
    "files/song.mp3": b"ID3\x04" + b"m" * 40,
    "video_files/loop.mp4": b"\x00\x00\x00\x18ftypmp42" + b"l" * 30,
}


def local(ts: int, zone: Any = ZONE) -> str:
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%dT%H:%M:%S")


def msg(msg_id: int, chat: int, name: str, **keys: Any) -> dict[str, Any]:
    """A channel post as Desktop writes it: id, type, dates, sender, then the rest."""
    ts = T0 + msg_id * 60
    out: dict[str, Any] = {
        "id": msg_id,
        "type": "message",
        "date": local(ts),
        "date_unixtime": str(ts),
    }
    if "edited" in keys:
        edited = keys.pop("edited")
        out.update(edited=local(edited), edited_unixtime=str(edited))
    out.update({"from": name, "from_id": f"channel{chat}"})
    out.update(keys)
    out.setdefault("text", "")
    out.setdefault("text_entities", _entities(out["text"]))
    return out


def service(msg_id: int, chat: int, name: str, action: str | None, **keys: Any) -> dict:
    ts = T0 + msg_id * 60
    out: dict[str, Any] = {
        "id": msg_id,
        "type": "service",
        "date": local(ts),
        "date_unixtime": str(ts),
        "actor": name,
        "actor_id": f"channel{chat}",
    }
    if action is not None:
        out["action"] = action
    out.update(keys)
    out.update(text="", text_entities=[])
    return out


def _entities(text: Any) -> list[dict[str, Any]]:
    """Desktop's ``text_entities``: every part as an object, plain parts included."""
    if isinstance(text, str):
        return [{"type": "plain", "text": text}] if text else []
    return [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in text]


FORMATTED = [
    "Bold ",
    {"type": "bold", "text": "жирный"},
    " italic ",
    {"type": "italic", "text": "курсив"},
    " ",
    {"type": "underline", "text": "u"},
    " ",
    {"type": "strikethrough", "text": "s"},
    " ",
    {"type": "code", "text": "x = 1"},
    "\n",
    {"type": "pre", "text": "print()", "language": "python"},
    "\n",
    {"type": "pre", "text": "plain pre", "language": ""},
    " ",
    {"type": "text_link", "text": "link", "href": "https://example.org/a?b=c"},
    " ",
    {"type": "link", "text": "https://t.me/durov"},
    " ",
    {"type": "email", "text": "a@b.org"},
    " ",
    {"type": "phone", "text": "+380441234567"},
    " ",
    {"type": "mention", "text": "@durov"},
    " ",
    {"type": "mention_name", "text": "Pavel", "user_id": 1001},
    " ",
    {"type": "hashtag", "text": "#новости"},
    " ",
    {"type": "cashtag", "text": "$TON"},
    " ",
    {"type": "bot_command", "text": "/start"},
    " ",
    {"type": "spoiler", "text": "secret"},
    " ",
    {"type": "custom_emoji", "text": "🔥", "document_id": "5368324170671202286"},
    " 🇺🇦 ",
    {"type": "bank_card", "text": "4111111111111111"},
    "\n",
    {"type": "blockquote", "text": "quoted", "collapsed": False},
    "\n",
    {"type": "blockquote", "text": "long quote", "collapsed": True},
]
# Bold inside italic as Desktop writes it: ParseText keeps the italic, drops the bold.
NESTED = ["Say ", {"type": "italic", "text": "very loud"}, " words"]
REACTIONS = [
    {
        "type": "emoji",
        "count": 12,
        "emoji": "👍",
        "recent": [{"from": "Олена", "from_id": "user1001", "date": local(T0 + 900)}],
    },
    {"type": "custom_emoji", "count": 3, "document_id": "5368324170671202286"},
    {"type": "paid", "count": 50},
]
BUTTONS = [
    [
        {"type": "url", "text": "Open", "data": "https://example.org"},
        {"type": "callback", "text": "Vote", "dataBase64": "dm90ZQ", "data": ""},
    ]
]


def channel_messages(chat: int, name: str) -> list[dict[str, Any]]:
    """Posts of every kind, and the service actions of a channel."""
    m = lambda i, **k: msg(i, chat, name, **k)  # noqa: E731
    s = lambda i, a, **k: service(i, chat, name, a, **k)  # noqa: E731
    return [
        s(1, "create_channel", title=name),
        m(2, text="plain text post"),
        m(3, text=FORMATTED, edited=T0 + 7200, author="Олег"),
        m(4, text=NESTED),
        m(
            5,
            photo="photos/photo_1@01-01-2024_13-00-00.jpg",
            photo_file_size=64,
            width=800,
            height=600,
            text="фото 🔥",
            reactions=REACTIONS,
        ),
        m(
            6,
            photo=NOT_INCLUDED,
            photo_file_size=123456,
            width=1280,
            height=720,
            media_spoiler=True,
        ),
        m(
            7,
            file="video_files/clip.mp4",
            file_name="clip.mp4",
            file_size=52,
            thumbnail="video_files/clip.mp4_thumb.jpg",
            thumbnail_file_size=44,
            media_type="video_file",
            mime_type="video/mp4",
            duration_seconds=12,
            width=1920,
            height=1080,
        ),
        m(
            8,
            file=SIZE_LIMIT,
            file_name="big.mp4",
            file_size=2147483000,
            thumbnail="video_files/big.mp4_thumb.jpg",
            thumbnail_file_size=44,
            media_type="video_file",
            mime_type="video/mp4",
            duration_seconds=3600,
            width=3840,
            height=2160,
            text="A film too big for the export",
        ),
        m(
            9,
            file="voice_messages/audio_1@01-01-2024_13-05-00.ogg",
            file_size=44,
            media_type="voice_message",
            mime_type="audio/ogg",
            duration_seconds=3,
        ),
        m(
            10,
            file="files/song.mp3",
            file_name="song.mp3",
            file_size=44,
            media_type="audio_file",
            performer="Океан Ельзи",
            title="Обійми",
            mime_type="audio/mpeg",
            duration_seconds=245,
        ),
        m(
            11,
            file="files/report.pdf",
            file_name="report.pdf",
            file_size=49,
            mime_type="application/pdf",
            text="the report",
        ),
        m(
            12,
            file="stickers/sticker.webp",
            file_name="sticker.webp",
            file_size=36,
            thumbnail=NOT_INCLUDED,
            thumbnail_file_size=1200,
            media_type="sticker",
            sticker_emoji="😀",
            mime_type="image/webp",
            width=512,
            height=512,
        ),
        m(
            13,
            file="round_video_messages/file_1@01-01-2024_13-07-00.mp4",
            file_size=21,
            media_type="video_message",
            mime_type="video/mp4",
            duration_seconds=9,
            width=384,
            height=384,
        ),
        m(
            14,
            file="video_files/loop.mp4",
            file_name="loop.mp4",
            file_size=42,
            media_type="animation",
            mime_type="video/mp4",
            duration_seconds=2,
            width=320,
            height=240,
        ),
        m(15, file=UNAVAILABLE, file_name="lost.zip", file_size=1000, mime_type="application/zip"),
        m(
            16,
            poll={
                "question": ["Is it ", {"type": "bold", "text": "true"}, "?"],
                "closed": True,
                "total_voters": 3,
                "answers": [
                    {"text": [{"type": "italic", "text": "yes"}], "voters": 2, "chosen": True},
                    {"text": "no", "voters": 1, "chosen": False},
                ],
            },
        ),
        m(
            17,
            location_information={"latitude": 50.4501, "longitude": 30.5234},
            live_location_period_seconds=900,
        ),
        m(
            18,
            place_name="Майдан",
            address="Київ",
            location_information={"latitude": 50.4501, "longitude": 30.5234},
        ),
        m(
            19,
            contact_information={
                "first_name": "Ivan",
                "last_name": "",
                "phone_number": "+380 44 123 4567",
            },
        ),
        m(
            20,
            forwarded_from="Другий канал",
            forwarded_from_id="channel1500000099",
            text="forwarded from a channel",
        ),
        m(21, forwarded_from=None, forwarded_from_id="user77", text="from a user, no name"),
        m(22, forwarded_from="Hidden Sender", text="hidden forward"),
        m(23, reply_to_message_id=2, text="a reply"),
        m(
            24,
            reply_to_message_id=99,
            reply_to_peer_id="channel1500000099",
            text="a reply to another chat",
        ),
        m(
            25,
            via_bot="@gif",
            file="video_files/loop.mp4",
            file_name="loop.mp4",
            file_size=42,
            media_type="animation",
            mime_type="video/mp4",
            duration_seconds=2,
            width=320,
            height=240,
        ),
        m(26, text="buttons", inline_bot_buttons=BUTTONS),
        m(27, saved_from="Saved Source", text="saved from"),
        m(
            28,
            game_title="Lumberjack",
            game_description="Chop",
            game_link="https://t.me/gamebot?game=lumber",
        ),
        m(
            29,
            invoice_information={
                "title": "Ticket",
                "description": "One",
                "amount": 500,
                "currency": "USD",
            },
        ),
        m(30, paid_stars_amount=25, text="paid media"),
        s(
            31,
            "edit_group_photo",
            photo="photos/photo_31@01-01-2024_13-31-00.jpg",
            photo_file_size=64,
            width=640,
            height=640,
        ),
        s(32, "edit_group_title", title="New name"),
        s(33, "delete_group_photo"),
        s(34, "pin_message", message_id=3),
        s(35, "pin_message", message_id=40, reply_to_peer_id="channel1500000099"),
        s(36, "group_call", duration=3600),
        s(37, "group_call_scheduled", schedule_date=T0 + 86400),
        s(38, "invite_to_group_call", members=["Олена", None]),
        s(39, "set_messages_ttl", period=86400),
        s(40, "edit_chat_theme", emoticon="🌸"),
        s(41, "boost_apply", boosts=2),
        s(42, "set_chat_wallpaper", message_id=41),
        s(43, "giveaway_launch"),
        s(44, "giveaway_results", winners=3, unclaimed=0, stars=0),
        s(45, None, information_text="Custom service text"),
        s(
            46,
            "send_star_gift",
            gift_id=5170145012310081615,
            stars=15,
            is_limited=False,
            is_anonymous=True,
            gift_text=["Happy ", {"type": "bold", "text": "birthday"}],
        ),
        s(47, "edit_group_photo", photo=NOT_INCLUDED, photo_file_size=30000, width=640, height=640),
        m(48, text="edited and unformatted", edited=T0 + 9000),
        {"id": 49, "type": "unsupported"},
        m(50, text="the end"),
    ]


def group_messages(chat: int, name: str) -> list[dict[str, Any]]:
    """A forum supergroup: users write, topics are created and edited, members come and go."""

    def u(i: int, who: str, uid: int, **k: Any) -> dict[str, Any]:
        out = msg(i, chat, name, **k)
        out.update({"from": who, "from_id": f"user{uid}"})
        return out

    def s(i: int, action: str, who: str = "Олена", uid: int = 1001, **k: Any) -> dict:
        out = service(i, chat, name, action, **k)
        out.update(actor=who, actor_id=f"user{uid}")
        return out

    return [
        s(1, "migrate_from_group", title="Old group"),
        s(2, "topic_created", title="Новини"),
        u(3, "Олена", 1001, text="first in the topic", reply_to_message_id=2),
        s(4, "topic_edit", new_title="Новини 🇺🇦"),
        s(5, "topic_edit", new_icon_emoji_id=5368324170671202286),
        s(6, "topic_edit", new_title="Closed topic", new_icon_emoji_id=5368324170671202287),
        s(7, "invite_members", members=["Іван", "Марія"]),
        s(8, "remove_members", members=["Іван"]),
        s(9, "join_group_by_link", who="Петро", uid=1003, inviter="Олена"),
        s(10, "join_group_by_request", who="Анна", uid=1004),
        s(11, "clear_history"),
        s(12, "score_in_game", game_message_id=3, score=120),
        s(13, "requested_peer", button_id=1, peers=[1500000099]),
        s(14, "boost_apply", boosts=1),
        u(
            15,
            "Іван",
            1002,
            text=[{"type": "mention_name", "text": "Олена", "user_id": 1001}, ", hi"],
            reply_to_message_id=3,
        ),
        u(16, "Deleted Account", 1009, text="from a deleted account"),
        {**msg(17, chat, name, text="as the channel"), "from": "Анонім", "from_id": "channel7"},
        {
            **u(18, "Олена", 1001, text="edited in a topic", reply_to_message_id=2),
            "edited": local(T0 + 5000),
            "edited_unixtime": str(T0 + 5000),
        },
        s(19, "topic_created", title="Друга тема"),
        s(20, "create_group", title="Group", members=["Олена", "Іван"]),
    ]


def old_format(chat: int, name: str) -> list[dict[str, Any]]:
    """An export from before 2022: no unixtimes, local time only (this machine's zone)."""
    out = []
    edited = msg(48, chat, name, text="x", edited=T0 + 9000)
    for one in [*channel_messages(chat, name)[:8], edited]:
        if "date" not in one:
            continue
        drop = ("date_unixtime", "edited_unixtime", "text_entities", "reactions")
        one = {k: v for k, v in one.items() if k not in drop}  # older Desktop wrote none
        one["date"] = local(T0 + one["id"] * 60, None)
        if "edited" in one:
            one["edited"] = local(T0 + 9000, None)
        out.append(one)
    return out


def chat(name: str, kind: str, chat_id: int, messages: list[dict[str, Any]]) -> dict:
    return {"name": name, "type": kind, "id": chat_id, "messages": messages}


def single_channel() -> dict[str, Any]:
    return chat("Вести", "public_channel", CHANNEL, channel_messages(CHANNEL, "Вести"))


def full_account() -> dict[str, Any]:
    """A full-account export: personal data, contacts, chats and the channels left."""
    return {
        "about": "Here is the data you requested. Remember: Telegram is ad free, ...",
        "personal_information": {
            "user_id": 9000,
            "first_name": "Me",
            "last_name": "",
            "phone_number": "+44 0000",
            "username": "@me",
            "bio": "",
        },
        "contacts": {"about": "...", "list": []},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                chat("Форум", "public_supergroup", FORUM, group_messages(FORUM, "Форум")),
                chat(
                    "Family",
                    "private_group",
                    GROUP,
                    [msg(1, GROUP, "Family", text="hi"), msg(2, GROUP, "Family", text="hey")],
                ),
                chat("Friend", "personal_chat", PERSON, [msg(1, PERSON, "Friend", text="yo")]),
            ],
        },
        "left_chats": {
            "about": "This page lists all supergroups and channels from this export "
            "that you have left.",
            "list": [
                chat("Покинутий", "private_channel", LEFT, channel_messages(LEFT, "Покинутий")),
            ],
        },
    }


def write(folder: Path, data: dict[str, Any]) -> Path:
    """The export folder: result.json and the files it names."""
    folder.mkdir(parents=True, exist_ok=True)
    for relative, content in FILES.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    (folder / "result.json").write_text(text, encoding="utf-8")
    return folder


def utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S")
