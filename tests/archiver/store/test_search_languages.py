"""Search in the readers' languages on every backend: a bare word finds its inflected,
prefixed and cliticized forms (Arabic, Persian, Russian, Ukrainian), a quoted word or phrase
only what is written, and snippets mark the forms that matched."""

from __future__ import annotations

import pytest

from archiver.render import highlight
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts

POSTS = {
    # Arabic: مدينة (city) with article, conjunction, preposition and pronoun suffix
    1: "وصل الوفد إلى المدينة صباحاً",
    2: "والمدينة بلا كهرباء منذ أسبوع",
    3: "إغلاق الطرق بالمدينة القديمة",
    4: "عاد الصحفيون إلى مدينتهم",
    5: "ومدينة غزة تحت الحصار",
    6: "مدين للبنك بمبلغ كبير",  # debtor: same letters without teh marbuta
    7: "دعوة لمجلس الأمن للتحرك",
    8: "الله أكبر",
    9: "له الحق في الرد",
    # Persian: ی/ي, ک/ك and ZWNJ variants
    11: "کتاب‌های تازه در نمایشگاه",
    12: "كتابهاي قديمي فروخته شد",
    13: "این کتاب را خواندم",
    14: "دانشجویان در خیابان",
    15: "روزنامه‌نگار آزاد شد",
    16: "روزنامه‌ها توقیف شدند",
    # Russian
    21: "В Москве прошли задержания",
    22: "Из Москвы выслали журналистов",
    23: "Наблюдатели на выборах зафиксировали вбросы",
    24: "Посуда вывезена со склада",
    25: "Государственная дума приняла закон",
    26: "Обстріл Харкова вночі",
    # Ukrainian
    31: "Суд у Харкові відмовив",
    32: "У Києві оголосили тривогу",
    33: "Київ без світла",
    34: "Новини з Києва та області",
    35: "Війна триває третій рік",
    36: "Під час війни зруйновано школу",
}


async def _archive(conn) -> None:
    await upsert_channel(conn, ChannelRow(id=1, access_hash=1, title="c"), 1)
    await set_channel_fields(conn, 1, status="erased")
    rows = [MessageRow(channel_id=1, msg_id=k, date=k, text=t) for k, t in POSTS.items()]
    await save_messages(conn, rows, 1)


async def _ids(conn, text: str) -> list[int]:
    posts = await search_posts(conn, parse_query(text), "erased", limit=100)
    return sorted(p.msg_id for p in posts)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("مدينة", [1, 2, 3, 4, 5]),  # not مدين (debtor)
        ("المدينة", [1, 2, 3, 4, 5]),
        ("مجلس", [7]),
        ("الله", [8]),  # not له: الله has no article to strip
        ("حق", [9]),
        ("کتاب", [11, 12, 13]),  # Persian ک and ی, Arabic ك and ي, ZWNJ or none
        ("كتابها", [11, 12, 13]),
        ("دانشجو", [14]),
        ("روزنامه", [16]),  # not روزنامه‌نگار (journalist), a compound written with ZWNJ
        ("روزنامه‌نگار", [15]),
        ("روزنامهنگار", [15]),  # the same compound typed without ZWNJ
        ("москва", [21, 22]),
        ("выборы", [23]),
        ("суд", [31]),  # not Посуда
        ("харків", [26, 31]),
        ("київ", [32, 33, 34]),
        ("війна", [35, 36]),
    ],
)
async def test_a_word_finds_its_forms(engine, query, found) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await _ids(conn, query) == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"المدينة"', [1]),
        ('"مدينة"', []),
        ('"москве"', [21]),
        ('"в москве"', [21]),
        ('"прошли в москве"', []),
        ('"у києві"', [32]),
        ('"کتاب‌های تازه"', [11]),
        ('"کتابهای تازه"', [11]),  # with or without ZWNJ, the same written words
        ('"کتاب"', [13]),
        ('"روزنامه"', []),  # روزنامه‌ها and روزنامه‌نگار are other written words
        ('"نگار"', []),  # a part of a compound is not a word of it
        ('"مجلس الأمن"', []),  # the post has لمجلس الأمن
        ('"لمجلس الامن"', [7]),
        ("الانتخاب* مدين*", []),
        ("مدين*", [1, 2, 3, 4, 5, 6]),  # a prefix also starts words behind the article
    ],
)
async def test_quotes_match_what_is_written(engine, query, found) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        assert await _ids(conn, query) == found


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        ("إغلاق الطرق بالمدينة القديمة", "مدينة", ["بالمدينة"]),
        ("عاد الصحفيون إلى مدينتهم", "مدينة", ["مدينتهم"]),
        ("مدين للبنك", "مدينة", []),
        ("Из Москвы выслали", "москва", ["Москвы"]),
        ("Суд у Харкові", "харків", ["Харкові"]),
        ("Посуда и суды", "суд", ["суды"]),
        ("В Москве и москвичи", "москв*", ["Москв", "москв"]),
        ("Москва, Москве", '"москве"', ["Москве"]),
        ("روزنامه‌ها توقیف و روزنامه‌نگار آزاد شد", "روزنامه", ["روزنامه‌ها"]),
        ("روزنامه‌نگاران و روزنامه‌ها", "روزنامه‌نگار", ["روزنامه‌نگاران"]),
        ("کتاب‌های تازه در نمایشگاه", '"کتابهای تازه"', ["کتاب‌های", "تازه"]),
        ("كتابهاي قديمي", "کتاب", ["كتابهاي"]),
        ("دعوة لمجلس الأمن", '"لمجلس الامن"', ["لمجلس", "الأمن"]),
        ("Решение суда вступило в силу", '"решение суда"', ["Решение", "суда"]),
        ("Справу передали до суду", '"до суду"', ["до", "суду"]),
        ("Поранених доправили до лікарні", "лікарня", ["лікарні"]),
        ("🔥 Из Москвы выслали", "москва", ["Москвы"]),
        ("إِلَى الْمَدِينَةِ", "مدينة", ["الْمَدِينَةِ"]),  # the last kasra stays with its letter
        ("😀 روزنامه‌ها و روزنامه‌نگار", "روزنامه", ["روزنامه‌ها"]),
    ],
)
def test_snippets_mark_the_forms_that_matched(text, query, marked) -> None:
    html = str(highlight(text, parse_query(query).words))
    found = [part.split("</mark>")[0] for part in html.split("<mark>")[1:]]
    assert found == marked
