"""Dates, numbers, file sizes and relative times as a reader of one language writes them
(Babel, CLDR data). Patterns are parsed once per language and results are memoised, since a
channel page formats some twenty dates and counts."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_timedelta, parse_pattern
from babel.numbers import format_decimal, get_group_symbol
from babel.units import format_unit

_SIZE_UNITS = (
    (1024**3, "digital-gigabyte"),
    (1024**2, "digital-megabyte"),
    (1024, "digital-kilobyte"),
)


class LocaleFormats:
    """The formatting filters of one language."""

    def __init__(self, code: str) -> None:
        self.locale = Locale.parse(code)
        day = self.locale.datetime_skeletons["yMMMd"]
        self._day = parse_pattern(day.pattern if hasattr(day, "pattern") else str(day))
        self._joined = str(self.locale.datetime_formats["medium"])
        self.date = functools.lru_cache(maxsize=8192)(self._date)
        self._day_of = functools.lru_cache(maxsize=4096)(self._format_day)
        self._group = get_group_symbol(self.locale)

    def _date(self, ts: int | None, with_time: bool = True) -> str:
        """A moment in UTC, e.g. ``14 нояб. 2023, 22:13 UTC``; the day alone without time."""
        if not ts:
            return ""
        day = self._day_of(ts // 86400)
        if not with_time:
            return day
        clock = f"{ts // 3600 % 24:02d}:{ts // 60 % 60:02d} UTC"  # Latin digits, as Babel's
        return self._joined.replace("{1}", day).replace("{0}", clock)

    def _format_day(self, days: int) -> str:
        return str(self._day.apply(datetime.fromtimestamp(days * 86400, UTC), self.locale))

    def number(self, value: Any) -> str:
        """A count with the reader's digit grouping (``1,234``, ``1 234``): what Babel's
        ``format_decimal`` writes for a whole number, at a twentieth of its cost, since every
        post shows its views and they seldom repeat."""
        if type(value) is int:  # views, counts: the common case first
            return f"{value:,}".replace(",", self._group)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return ""
        if isinstance(value, float):
            return format_decimal(value, locale=self.locale)
        return f"{value:,}".replace(",", self._group)

    def file_size(self, size: Any) -> str:
        """A size in bytes as ``1.5 MB`` in the reader's units and decimal mark."""
        if not isinstance(size, int):
            return ""
        for factor, unit in _SIZE_UNITS:
            if size >= factor:
                value = round(size / factor, 1)
                return format_unit(
                    value, unit, length="short", locale=self.locale, format="#,##0.#"
                )
        return format_unit(size, "digital-byte", length="short", locale=self.locale)

    def ago(self, ts: int | None, now: float | None = None) -> str:
        """How long ago ``ts`` was, e.g. ``5 minutes ago`` or ``قبل 5 دقائق``."""
        if not ts:
            return ""
        delta = timedelta(seconds=ts - (time.time() if now is None else now))
        return format_timedelta(delta, add_direction=True, locale=self.locale)


def duration(seconds: Any) -> str:
    """A media duration as ``m:ss`` (``h:mm:ss`` from an hour; digits and colons read the
    same in every language of the mirror), '' when unknown."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@functools.cache
def formats_for(code: str) -> LocaleFormats:
    """The one ``LocaleFormats`` of a language in this process."""
    return LocaleFormats(code)
