"""The post cards macro: a page's cards in one call render as each card alone, a text-only
card (which skips the media macro) shows the same text and meta as the same post with media,
and card dates read as Babel writes them, in each language."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from babel import Locale
from babel.dates import format_date, format_time

from archiver.config import Config
from archiver.site.environment import make_environment
from archiver.site.formats import formats_for
from archiver.store.posts import Post, PostFile

CHANNEL = SimpleNamespace(id=7, username="wire")
PHOTO = PostFile(
    role="main",
    kind="photo",
    status="stored",
    sha256="ab" * 32,
    path="ab/x.jpg",
    mime="image/jpeg",
    size=2048,
    file_name=None,
    width=640,
    height=480,
    duration=None,
)


def _post(msg_id: int, **fields: object) -> Post:
    base: dict[str, object] = {name: None for name in Post.__slots__}
    base.update(
        pk=msg_id,
        channel_id=7,
        msg_id=msg_id,
        date=1_700_000_000 + msg_id,
        text=f"Post number {msg_id} & <more>",
        hidden=False,
        first_seen_at=1,
        captured_at=1,
        source="telegram",
        revision_count=0,
        files=[],
    )
    base.update(fields)
    return Post(**base)  # type: ignore[arg-type]


def _cards(all_items: list[list[Post]], permalink: bool = True) -> str:
    env = make_environment(Config())
    macro = env.get_template("_macros.html").module.cards  # type: ignore[attr-defined]
    return str(macro(all_items, CHANNEL, permalink=permalink))


def _lines(html: str) -> list[str]:
    # the first cards of a page load their pictures at once, the others lazily
    html = html.replace(' loading="lazy"', "")
    return [line.strip() for line in html.splitlines() if line.strip()]


def test_cards_in_one_call_render_as_each_card_alone() -> None:
    # forwarded, replying, edited and deleted cards before plain ones: nothing a card sets
    # (``head``, ``fw``) may carry over to the next card
    cards = [
        [_post(1, fwd_from={"from_name": "Elsewhere", "date": 1_600_000_000})],
        [_post(2)],
        [
            _post(
                3,
                reply_to_msg_id=1,
                revision_count=2,
                deleted_at=1_700_000_100,
                deleted_how="update",
            )
        ],
        [_post(4, action={"type": "pin_message"}, reply_to_msg_id=3, text="")],
        [
            _post(5, grouped_id=9, media_kind="photo", files=[PHOTO]),
            _post(6, grouped_id=9, media_kind="photo", files=[PHOTO]),
        ],
        [_post(7, reactions=[{"emoji": "👍", "count": 3}], views=10)],
    ]
    together = _cards(cards)
    assert _lines(together) == [line for card in cards for line in _lines(_cards([card]))]
    assert together.count("Forwarded from") == 1
    assert together.count('class="badge tombstone"') == 1


def test_text_only_card_shows_what_the_media_card_shows_but_the_media() -> None:
    text_only = _lines(_cards([[_post(8, views=5, reactions=[{"emoji": "🔥", "count": 2}])]]))
    with_photo = _lines(
        _cards(
            [
                [
                    _post(
                        8,
                        views=5,
                        reactions=[{"emoji": "🔥", "count": 2}],
                        media_kind="photo",
                        files=[PHOTO],
                    )
                ]
            ]
        )
    )
    media = [line for line in with_photo if line not in text_only]
    assert len(media) == 1 and media[0].startswith('<a class="photo"')
    assert [line for line in with_photo if line not in media] == text_only
    assert "Post number 8 &amp; &lt;more&gt;" in "".join(text_only)
    assert "<img" not in "".join(text_only)


def test_a_media_kind_without_a_stored_file_still_says_so() -> None:
    missing = dataclasses.replace(PHOTO, status="failed", sha256=None, path=None)
    html = _cards([[_post(9, media_kind="photo", files=[missing])]])
    assert "Photo not archived (failed)" in html


@pytest.mark.parametrize("lang", ["en", "ar", "fa", "ru", "uk"])
def test_card_dates_read_as_babel_writes_them(lang: str) -> None:
    # the filter formats the day with Babel once per day and the clock itself (cheaper, 20
    # times a page); it must say what Babel says of the same moment
    locale = Locale.parse(lang)
    joined = str(locale.datetime_formats["medium"])
    formats = formats_for(lang)
    for ts in (1, 59, 1_600_000_000, 1_700_000_061, 2**31 - 1, 4_102_444_800, -86_400):
        moment = datetime.fromtimestamp(ts, UTC)
        day = format_date(moment, locale.datetime_skeletons["yMMMd"].pattern, locale=locale)
        clock = format_time(moment, "HH:mm", locale=locale) + " UTC"
        assert formats.date(ts) == joined.replace("{1}", day).replace("{0}", clock)
        assert formats.date(ts, False) == day
    assert formats.date(None) == formats.date(0) == ""


def test_a_russian_card_reads_in_russian() -> None:
    env = make_environment(Config(), "ru")
    macro = env.get_template("_macros.html").module.cards  # type: ignore[attr-defined]
    html = str(macro([[_post(3, views=1234, revision_count=2)]], CHANNEL))
    assert "234 просмотра" in html and "изменено ×2" in html and "нояб. 2023" in html
