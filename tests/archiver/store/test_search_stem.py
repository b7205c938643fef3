"""Stems of single words: a query word matches a text word when one of the query's stems
is among the text word's stems (as the index and the highlighter decide)."""

from __future__ import annotations

import pytest

from archiver.store.search_stem import index_keys, query_keys
from archiver.store.search_text import fold_for_stems


def matches(query: str, word: str) -> bool:
    return bool(set(query_keys(fold_for_stems(query))) & set(index_keys(fold_for_stems(word))))


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("مدينة", "والمدينة"),
        ("مدينة", "بالمدينة"),
        ("مدينة", "مدينتهم"),
        ("مدينة", "مدينه"),
        ("مدينة", "للمدينة"),
        ("مجلس", "لمجلس"),
        ("حكومة", "حكومات"),
        ("صحفي", "الصحفيين"),
        ("أمن", "الامن"),
        ("کتاب", "كتابهاي"),
        ("دولت", "دولتها"),
        ("دانشجو", "دانشجویان"),
        # Persian words in parts joined by ZWNJ: inflections come off, compounds stay whole
        ("روزنامه", "روزنامه‌ها"),
        ("روزنامه", "روزنامه‌ای"),
        ("خانه", "خانه‌ی"),
        ("بزرگ", "بزرگ‌تر"),
        ("کتاب‌ها", "کتابهای"),
        ("روزنامه‌نگار", "روزنامهنگار"),
        ("روزنامه‌نگار", "روزنامه‌نگاران"),
        ("روزنامه‌نگار", "روزنامه‌نگار‌ها"),
        ("می‌شود", "میشود"),
        ("شود", "می‌شود"),
        ("شود", "نمی‌شود"),
        ("москва", "Москвой"),
        ("закон", "законов"),
        ("Харьков", "Харькова"),
        ("суд", "суді"),
        ("мова", "мовою"),
        ("Харків", "Харкова"),
        ("Київ", "Києві"),
        ("Київ", "Киев"),
        ("війна", "війною"),
        ("місто", "містом"),
        ("діти", "дітей"),
        ("містити", "містить"),
    ],
)
def test_a_query_word_matches_its_forms(query, word) -> None:
    assert matches(query, word)


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("مدينة", "مدين"),
        ("كتاب", "تاب"),
        ("وزير", "زير"),
        ("تاب", "تابع"),
        ("الله", "له"),
        ("له", "الله"),
        ("حكومة", "الحكومية"),
        ("کتاب", "کتابخانه"),
        ("شهر", "شهرت"),
        ("روزنامه", "روزنامه‌نگار"),
        ("روزنامه", "روزنامهنگار"),
        ("نگار", "روزنامه‌نگار"),
        ("خانه", "کتاب‌خانه"),
        ("خانه", "صاحب‌خانه"),
        ("می‌شود", "نمی‌شود"),
        ("суд", "Посуда"),
        ("суд", "судья"),
        ("закон", "законный"),
        ("война", "воин"),
        ("мир", "Владимир"),
        ("Київ", "київський"),
        ("місто", "містить"),  # contains: a verb, not a form of the noun
        ("місто", "містять"),
    ],
)
def test_a_query_word_does_not_match_look_alikes(query, word) -> None:
    assert not matches(query, word)


def test_words_of_other_scripts_have_no_stems() -> None:
    assert index_keys("council") == () and query_keys("2024") == ()
