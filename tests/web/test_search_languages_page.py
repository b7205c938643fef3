"""The search page in a reader's language: a word finds its other forms, and the snippet
marks the form each post holds."""

from __future__ import annotations

import re

import pytest

from archiver.db.engine import open_engine
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages
from tests.web.conftest import make_client

POSTS = [
    "وصل الوفد إلى المدينة",
    "إغلاق الطرق بالمدينة",
    "المواطن مدين للبنك",
    "В Москве дождь",
    "روزنامه‌نگار آزاد شد",
    "روزنامه‌ها توقیف شدند",
    "Обстріл Києва вночі",
    "Документ містить помилки",
]


@pytest.fixture
async def client(make_config):
    config = make_config({"web": {"publish": "all"}})
    engine = open_engine(config.database_url)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=1, access_hash=1, title="n", username="news"), 1)
        rows = [
            MessageRow(channel_id=1, msg_id=i, date=1_700_000_000 + i, text=text)
            for i, text in enumerate(POSTS, start=1)
        ]
        await save_messages(conn, rows, 1)
    await engine.dispose()
    async with make_client(config) as c:
        yield c


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("مدينة", ["بالمدينة", "المدينة"]),  # newest first; not مدين (debtor)
        ("москва", ["Москве"]),
        ('"المدينة"', ["المدينة"]),
        ("روزنامه", ["روزنامه‌ها"]),  # not روزنامه‌نگار (journalist)
        ("روزنامه‌نگار", ["روزنامه‌نگار"]),
        ('"روزنامهها"', ["روزنامه‌ها"]),  # the written word, with or without ZWNJ
        ("київ", ["Києва"]),
        ("місто", []),  # містить (contains) is a verb, not a form of місто (city)
    ],
)
async def test_search_page_marks_the_forms_found(client, query, marked) -> None:
    page = await client.get("/search", params={"q": query})
    assert page.status_code == 200
    assert re.findall(r"<mark>(.*?)</mark>", page.text) == marked
