"""``text`` and ``text_entities`` exactly as Desktop writes them (tdesktop ParseText).

Desktop walks the entities in Telegram's order and leaves out one that starts before the end
of the part before it: bold inside italic keeps the italic, an underlined link keeps the
link. Our ``tgmirror`` key keeps every entity, so our own import restores them all.
"""

from __future__ import annotations

from archiver.exporters.tdesktop_text import text_parts, text_value
from archiver.importers.tdesktop_read import read_message

ITALIC_WITH_BOLD = [
    {"type": "italic", "offset": 4, "length": 9},
    {"type": "bold", "offset": 9, "length": 4},
]
LINK_UNDERLINED = [
    {"type": "text_url", "offset": 0, "length": 4, "url": "https://x.org"},
    {"type": "underline", "offset": 0, "length": 4},
]


def test_a_nested_entity_is_left_out_as_desktop_leaves_it_out() -> None:
    parts = text_parts("Say very loud words", ITALIC_WITH_BOLD)
    assert text_value(parts) == ["Say ", {"type": "italic", "text": "very loud"}, " words"]
    assert parts[0] == {"type": "plain", "text": "Say "}


def test_an_underlined_link_keeps_the_link() -> None:
    parts = text_parts("link here", LINK_UNDERLINED)
    assert parts == [
        {"type": "text_link", "text": "link", "href": "https://x.org"},
        {"type": "plain", "text": " here"},
    ]


def test_an_overlapping_entity_is_left_out_not_cut() -> None:
    overlapping = [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 3, "length": 5},
    ]
    assert text_value(text_parts("abcdefgh", overlapping)) == [
        {"type": "bold", "text": "abcde"},
        "fgh",
    ]


def test_entities_are_taken_in_their_order_not_sorted() -> None:
    backwards = [
        {"type": "bold", "offset": 4, "length": 2},
        {"type": "italic", "offset": 0, "length": 2},
    ]
    assert text_value(text_parts("ab  cd", backwards)) == ["ab  ", {"type": "bold", "text": "cd"}]


def test_offsets_count_utf16_units_and_blockquotes_say_if_collapsed() -> None:
    entities = [
        {"type": "bold", "offset": 5, "length": 2},
        {"type": "blockquote", "offset": 8, "length": 1},
    ]
    assert text_value(text_parts("🇺🇦 ok !", entities)) == [
        "🇺🇦 ",
        {"type": "bold", "text": "ok"},
        " ",
        {"type": "blockquote", "text": "!", "collapsed": False},
    ]


def test_our_own_export_brings_every_nested_entity_back() -> None:
    parts = text_parts("Say very loud words", ITALIC_WITH_BOLD)
    record = {
        "id": 1,
        "type": "message",
        "date_unixtime": "1",
        "text": text_value(parts),
        "text_entities": parts,
        "tgmirror": {"entities": ITALIC_WITH_BOLD},
    }
    assert read_message(record, 5, "result.json").row.entities == ITALIC_WITH_BOLD
    desktop_only = {k: v for k, v in record.items() if k != "tgmirror"}
    assert read_message(desktop_only, 5, "result.json").row.entities == [
        {"type": "italic", "offset": 4, "length": 9}
    ]
