"""Realistic post text in five languages, with every Telegram entity type at UTF-16 offsets.

Banks are small and hand-written: Arabic carries harakat, Russian carries ё, Persian uses its own
letters (پ چ ژ گ ی). Entities are produced as the JSON dicts `tl_build.entities` rebuilds.
"""

from __future__ import annotations

import random
from typing import Any

SENTENCES: dict[str, list[str]] = {
    "ar": [
        "أَعْلَنَتِ الْحُكُومَةُ عَنْ خُطَّةٍ جَدِيدَةٍ لِإِصْلَاحِ التَّعْلِيمِ.",
        "وَصَلَ الْوَفْدُ إِلَى الْعَاصِمَةِ صَبَاحَ الْيَوْمِ.",
        "ارتفعت أسعار الخبز في الأسواق المحلية هذا الأسبوع.",
        "قَالَ الْمُتَحَدِّثُ إِنَّ الْمُفَاوَضَاتِ مُسْتَمِرَّةٌ.",
        "تستمر الأمطار الغزيرة في شمال البلاد حتى يوم الجمعة.",
        "افْتُتِحَ الْمَعْرِضُ الدَّوْلِيُّ لِلْكِتَابِ بِمُشَارَكَةٍ وَاسِعَةٍ.",
        "شارك آلاف الطلاب في الاحتجاجات أمام الجامعة.",
    ],
    "fa": [
        "امروز هوای تهران آفتابی و گرم است.",
        "گزارش‌ها از افزایش قیمت بنزین در چند شهر حکایت دارد.",
        "نمایشگاه کتاب با حضور ناشران خارجی گشایش یافت.",
        "خبرنگاران از محل حادثه گزارش می‌دهند.",
        "دانشجویان در برابر دانشگاه تجمع کردند.",
        "پژوهشگران یک گونهٔ تازه از گیاهان کوهستانی را یافتند.",
        "مذاکرات تا پایان هفته ادامه خواهد داشت.",
    ],
    "ru": [
        "Всё ещё идёт обсуждение нового закона о СМИ.",
        "В Москве ожидается снегопад и гололёд.",
        "Её заявление вызвало бурную реакцию в соцсетях.",
        "Учёные объяснили, почему ёжики зимой спят.",
        "Журналисты получили доступ к закрытым документам.",
        "Цены на билеты выросли почти вдвое.",
        "Вечером пройдёт пресс-конференция министра.",
    ],
    "uk": [
        "Сьогодні у Києві відбулася зустріч з читачами.",
        "Синоптики обіцяють дощ і сильний вітер.",
        "Уряд ухвалив нові правила для перевізників.",
        "Волонтери зібрали гроші на їжу для тварин.",
        "Ввечері в Одесі знову лунала повітряна тривога.",
        "Українські науковці представили свій проєкт у Європі.",
        "Ціни на пальне залишаються стабільними.",
    ],
    "en": [
        "The council approved the new budget late on Tuesday.",
        "Heavy rain is expected across the north this weekend.",
        "Reporters were given access to the closed hearing.",
        "The museum reopened after two years of repairs.",
        "Officials denied any link between the two incidents.",
        "Thousands gathered in the square despite the cold.",
        "Talks are set to continue until the end of the week.",
    ],
}
HASHTAGS = {
    "ar": ["#عاجل", "#أخبار", "#اقتصاد"],
    "fa": ["#فوری", "#خبر", "#ایران"],
    "ru": ["#новости", "#срочно", "#Москва"],
    "uk": ["#новини", "#Київ", "#терміново"],
    "en": ["#breaking", "#news", "#economy"],
}
TITLES = {"ar": "أخبار اليوم", "fa": "خبر فوری", "ru": "Новости дня", "uk": "Новини", "en": "Daily"}
EMOJI = ["🔥", "⚡", "📢", "🙏", "😢", "👍", "🇺🇦", "❤️", "🌍", "📰"]
CODE = ("print('hello')", "python"), ("SELECT * FROM posts;", "sql"), ("ls -la", "bash")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"_": f"MessageEntity{kind}", "offset": offset, "length": length, **extra}


class TextBuilder:
    """Appends pieces of text, recording entities over them at UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str, kind: str | None = None, **extra: Any) -> None:
        length = utf16_len(text)
        if kind:
            self.entities.append(_entity(kind, self.offset, length, **extra))
        self.parts.append(text)
        self.offset += length

    def text(self) -> str:
        return "".join(self.parts)


FRAGMENT_KINDS = 16


def _styled(rng: random.Random, b: TextBuilder, lang: str, pick: int | None = None) -> None:
    """Append one entity-bearing fragment: kind `pick` (0..15) or a random one."""
    words = rng.choice(SENTENCES[lang]).rstrip(".").split()
    phrase = " ".join(words[: rng.randint(1, 3)])
    pick = rng.randrange(FRAGMENT_KINDS) if pick is None else pick
    if pick < 5:
        b.add(phrase, ("Bold", "Italic", "Underline", "Strike", "Spoiler")[pick])
    elif pick == 5:
        b.add("https://t.me/s/example", "Url")
    elif pick == 6:
        b.add(phrase, "TextUrl", url=f"https://example.org/{lang}/{rng.randrange(10_000)}")
    elif pick == 7:
        b.add(f"@source_{lang}", "Mention")
    elif pick == 8:
        b.add(rng.choice(HASHTAGS[lang]), "Hashtag")
    elif pick == 9:
        b.add(rng.choice(("$BTC", "$TON", "$USD")), "Cashtag")
    elif pick == 10:
        b.add(f"desk.{lang}@example.org", "Email")
    elif pick == 11:
        b.add(rng.choice(CODE)[0], "Code")
    elif pick == 12:
        code, language = rng.choice(CODE)
        b.add(code, "Pre", language=language)
    elif pick == 13:
        b.add(rng.choice(SENTENCES[lang]), "Blockquote", collapsed=None)
    elif pick == 14:
        b.add(rng.choice(EMOJI), "CustomEmoji", document_id=5_000_000_000_000 + rng.randrange(999))
    else:
        b.add(phrase, "Bold")
        b.entities.append(_entity("Italic", b.offset - utf16_len(phrase), utf16_len(phrase)))


def post_text(rng: random.Random, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """A news-like post: 1–3 sentences, maybe emoji, maybe styled fragments and a hashtag."""
    b = TextBuilder()
    if rng.random() < 0.3:
        b.add(rng.choice(EMOJI) + " ")
    for n in range(rng.randint(1, 3)):
        if n:
            b.add(" ")
        b.add(rng.choice(SENTENCES[lang]))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        b.add("\n")
        _styled(rng, b, lang)
    return b.text(), b.entities


def all_entities_text(lang: str) -> tuple[str, list[dict[str, Any]]]:
    """One post that carries every entity type (the first post of a generated channel)."""
    rng, b = random.Random(0), TextBuilder()
    b.add(SENTENCES[lang][0])
    for pick in range(FRAGMENT_KINDS):
        b.add("\n")
        _styled(rng, b, lang, pick)
    return b.text(), b.entities
