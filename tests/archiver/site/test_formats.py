"""The locale filters say what Babel says: counts with the reader's digit grouping, file sizes
in the reader's units, and relative times."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_decimal

from archiver.site.formats import formats_for

LANGUAGES = ["en", "ar", "fa", "ru", "uk"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_read_as_babel_writes_them(lang: str) -> None:
    rng = random.Random(lang)
    counts = [0, 7, 999, 1000, 12_345, 1_234_567, 2**40] + [
        rng.randrange(10**9) for _ in range(200)
    ]
    formats = formats_for(lang)
    for n in counts:
        assert formats.number(n) == format_decimal(n, locale=lang)
    assert formats.number(None) == ""


def test_sizes_and_relative_times_are_localized() -> None:
    assert formats_for("ru").file_size(1_572_864) == "1,5 МБ"
    assert formats_for("en").file_size(1_572_864) == "1.5 MB"
    assert formats_for("uk").ago(1_000, now=1_300) == "5 хвилин тому"
    assert formats_for("ar").ago(1_000, now=1_300) == "قبل 5 دقائق"
