"""Rendering text and entities to HTML: safe for any input, faithful for real entities."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.render import MAX_DEPTH, group_albums, highlight, render_text, safe_url

ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "span", "blockquote", "a", "br", "mark"}
ENTITY_TYPES = [
    "bold",
    "italic",
    "underline",
    "strike",
    "code",
    "pre",
    "spoiler",
    "blockquote",
    "text_url",
    "url",
    "email",
    "mention",
    "hashtag",
    "custom_emoji",
    "unknown",
    "mention_name",
    "<script>",
]


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


hostile_text = st.text(alphabet=st.sampled_from(list("<>\"'&=/ \nabcيё🔥:;()")), max_size=120)
entity = st.fixed_dictionaries(
    {
        "type": st.sampled_from(ENTITY_TYPES),
        "offset": st.integers(-5, 130),
        "length": st.integers(-5, 130),
    },
    optional={
        "url": st.sampled_from(
            [
                "javascript:alert(1)",
                "https://ok.example/a?b=\"c'",
                "data:text/html,x",
                " JAVASCRIPT:x",
                "tg://resolve",
                "mailto:a@b.c",
                "//evil",
                "vbscript:x",
            ]
        ),
        "language": hostile_text,
    },
)


@settings(max_examples=400, deadline=None)
@given(text=hostile_text, entities=st.lists(entity, max_size=8))
def test_any_text_and_entities_render_to_only_intended_markup(text, entities) -> None:
    html = str(render_text(text, entities))
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, html
        assert not any(name.startswith("on") for name in attrs), html
        if tag == "a":
            assert re.match(r"^(https?://|tg://|mailto:)", attrs["href"]), html
    visible = re.sub(r"<[^>]+>", "", html.replace("<br>", "\n"))
    assert "<" not in visible and ">" not in visible


@settings(max_examples=200, deadline=None)
@given(text=hostile_text)
def test_text_without_entities_renders_as_with_entities_that_add_no_markup(text) -> None:
    # no entities takes a shortcut; an entity of an unknown type goes the whole way
    unknown = [{"type": "no_such_type", "offset": 0, "length": 1}]
    assert render_text(text, None) == render_text(text, []) == render_text(text, unknown)
    assert render_text(text, {"not": "a list"}) == render_text(text, unknown)


@settings(max_examples=200, deadline=None)
@given(text=hostile_text, words=st.lists(hostile_text, max_size=3))
def test_highlight_escapes_everything_but_its_marks(text, words) -> None:
    html = str(highlight(text, words))
    assert {tag for tag, _ in tags_of(html)} <= {"mark", "br"}


def test_entities_nest_and_overlap_into_well_formed_html() -> None:
    html = render_text(
        "abcdef",
        [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}],
    )
    assert str(html) == "<b>ab<i>cd</i></b><i>ef</i>"


def test_utf16_offsets_after_an_emoji() -> None:
    html = render_text("🔥 fire", [{"type": "bold", "offset": 3, "length": 4}])
    assert str(html) == "🔥 <b>fire</b>"


def test_only_safe_link_schemes() -> None:
    assert safe_url("https://x.org") == "https://x.org"
    assert safe_url("example.org/path") == "https://example.org/path"
    for bad in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "java\nscript:x"):
        assert safe_url(bad) is None


def test_album_posts_become_one_card() -> None:
    class P:
        def __init__(self, msg_id, grouped_id):
            self.msg_id, self.grouped_id = msg_id, grouped_id

    cards = group_albums([P(5, 9), P(4, 9), P(3, None), P(2, 7)])
    assert [[p.msg_id for p in c] for c in cards] == [[4, 5], [3], [2]]


class NestingChecker(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.deepest = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag != "br":
            self.stack.append(tag)
            self.deepest = max(self.deepest, len(self.stack))

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def well_formed(html: str) -> NestingChecker:
    checker = NestingChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    return checker


def test_ten_thousand_entities_render_well_formed_and_shallow() -> None:
    n = 10_000
    text = "ab🔥\n<i>" * (n // 2)
    kinds = ENTITY_TYPES[:-1]
    shapes = {
        "disjoint": [
            {"type": kinds[i % len(kinds)], "offset": 7 * i, "length": 3} for i in range(n)
        ],
        "nested": [{"type": "italic", "offset": i, "length": 4 * n - 2 * i} for i in range(n)],
        "overlapping": [
            {"type": kinds[i % len(kinds)], "offset": i, "length": n, "url": "javascript:x"}
            for i in range(n)
        ],
    }
    for shape, entities in shapes.items():
        html = str(render_text(text, entities))
        checker = well_formed(html)
        assert 1 < checker.deepest <= 2 * MAX_DEPTH, shape  # <pre><code> is two deep
        assert {tag for tag, _ in tags_of(html)} <= ALLOWED_TAGS, shape
        assert "javascript" not in " ".join(str(a) for _, a in tags_of(html)), shape
        visible = re.sub(r"<[^>]+>", "", html.replace("<br>", "\n"))
        assert html_unescape(visible) == text, shape
        assert len(html) < 40 * len(text), shape  # no quadratic re-opening


def test_offsets_inside_a_surrogate_pair_round_up_to_after_the_character() -> None:
    html = render_text(
        "a🔥b😀c",
        [
            {"type": "bold", "offset": 2, "length": 3},
            {"type": "code", "offset": 6, "length": 1},
            {"type": "italic", "offset": 5, "length": 1},
        ],
    )
    assert str(html) == "a🔥<b>b😀</b><code>c</code>"


def test_highlight_of_a_huge_text_shows_the_start() -> None:
    html = str(highlight("needle " + "x " * 5_000_000, ["needle"]))
    assert html.startswith("<mark>needle</mark>") and html.endswith("…")
    assert len(html) < 400


def test_highlight_marks_the_original_letters_of_folded_matches() -> None:
    text = "Die Straße, the ﬁnal word, ёлка and عَرَبِيّة"
    html = str(highlight(text, ["strasse", "final", "елка", "عربيه"]))
    assert html == (
        "Die <mark>Straße</mark>, the <mark>ﬁnal</mark> word, <mark>ёлка</mark> "
        "and <mark>عَرَبِيّة</mark>"
    )
