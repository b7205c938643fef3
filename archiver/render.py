"""Render stored message text and entities to safe HTML (pure; used by the web and exports).

Everything is escaped; markup comes only from entities. Entity offsets are UTF-16 code units
(docs/message-json.md), mapped to string indices. Time and memory stay linear in the text and
the entities, whatever they hold (10,000 overlapping entities included). Text links keep only
http, https, tg and mailto URLs; anything else (``javascript:``, ``data:``) renders as plain
text. ``dir="auto"`` on the container is the caller's job.
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, overload
from urllib.parse import urlsplit

from markupsafe import Markup

SAFE_SCHEMES = frozenset({"http", "https", "tg", "mailto"})
_SIMPLE_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strike": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "spoiler": ('<span class="spoiler" tabindex="0">', "</span>"),
}
_URLISH = re.compile(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", re.I)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Deeper nesting adds nothing a reader can see; the cap keeps overlapping entities (which
# close and re-open everything opened inside them) linear in the number of entities.
MAX_DEPTH = 16
# A url, email or mention spans a few hundred characters at most; longer ones are not links.
MAX_LINK_TEXT = 4096
_LINKED_BY_TEXT = frozenset({"url", "email", "mention"})
# Search snippets are cut from this much of a text, however long the text is.
MAX_HIGHLIGHT_SOURCE = 65536
_ZWNJ = re.compile("\u200c")
_TEXT_WORD = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")  # words as the stems index sees them


def safe_url(url: Any) -> str | None:
    """The URL if its scheme is allowed (a bare ``example.org/x`` gets https), else None."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if any(ch in text for ch in "\x00\r\n\t") or not text:
        return None
    scheme = urlsplit(text).scheme.lower()
    if not scheme and _URLISH.match(text):
        return "https://" + text
    return text if scheme in SAFE_SCHEMES else None


class _Utf16Index:
    """Map UTF-16 offsets to ``str`` indices without a per-character list.

    Only characters outside the BMP (two UTF-16 units) shift the mapping, and texts have few,
    so a sorted list of their UTF-16 positions and a bisect give each index. An offset that
    falls between the two units of a pair rounds up to after the character.
    """

    def __init__(self, text: str) -> None:
        self.ends = [m.start() + k + 2 for k, m in enumerate(_ASTRAL.finditer(text))]
        self.units = len(text) + len(self.ends)

    def index(self, offset: int) -> int:
        return offset - bisect.bisect_right(self.ends, offset)


def _open_close(entity: dict[str, Any], inner: str) -> tuple[str, str]:
    kind = entity.get("type")
    if kind in _SIMPLE_TAGS:
        return _SIMPLE_TAGS[kind]
    if kind == "pre":
        language = str(entity.get("language") or "")
        cls = f' class="language-{html.escape(language, quote=True)}"' if language else ""
        return f"<pre><code{cls}>", "</code></pre>"
    if kind == "blockquote":
        return '<blockquote class="quote">', "</blockquote>"
    if kind in ("text_url", "url", "email"):
        target = entity.get("url") if kind == "text_url" else inner
        if kind == "email":
            target = f"mailto:{inner}"
        url = safe_url(target)
        if url is None:
            return "", ""
        escaped = html.escape(url, quote=True)
        return f'<a href="{escaped}" rel="nofollow noopener noreferrer" target="_blank">', "</a>"
    if kind == "mention" and inner.startswith("@"):
        name = html.escape(inner[1:], quote=True)
        return f'<a href="https://t.me/{name}" rel="nofollow noopener noreferrer">', "</a>"
    if kind == "hashtag":
        return '<span class="hashtag">', "</span>"
    if kind == "custom_emoji":
        return '<span class="custom-emoji">', "</span>"
    return "", ""


def _spans(text: str, entities: Any) -> list[tuple[int, int, dict[str, Any]]]:
    """Entities with a usable span, as ``str`` indices, outer ones first."""
    where = _Utf16Index(text)
    valid = []
    for e in entities if isinstance(entities, list) else []:
        if not isinstance(e, dict):
            continue
        start, length = e.get("offset"), e.get("length")
        if not isinstance(start, int) or not isinstance(length, int) or length <= 0:
            continue
        start, end = where.index(max(0, start)), where.index(min(where.units, start + length))
        if start < end:
            valid.append((start, end, e))
    # Outer entities open first and close last, so tags nest even when spans share bounds.
    valid.sort(key=lambda item: (item[0], -item[1]))
    return valid


Tags = dict[int, list[tuple[int, str]]]


def _tags(text: str, spans: list[tuple[int, int, dict[str, Any]]]) -> tuple[Tags, Tags]:
    """Opening and closing tags by text index, each with its entity's order."""
    opens: Tags = {}
    closes: Tags = {}
    for order, (start, end, e) in enumerate(spans):
        linked = e.get("type") in _LINKED_BY_TEXT and end - start <= MAX_LINK_TEXT
        open_tag, close_tag = _open_close(e, text[start:end] if linked else "")
        if open_tag:
            opens.setdefault(start, []).append((order, open_tag))
            closes.setdefault(end, []).append((order, close_tag))
    return opens, closes


def render_text(text: str | None, entities: Any = None) -> Markup:
    """HTML for a message text with its entities; newlines become ``<br>``.

    Time and memory are linear in the text and the number of entities, whatever they hold.
    """
    if not text:
        return Markup("")
    if not entities or not isinstance(entities, list):  # most posts: escaping is all there is
        return Markup(html.escape(text).replace("\n", "<br>"))
    opens, closes = _tags(text, _spans(text, entities))
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    dropped: set[int] = set()
    bounds = sorted({0, len(text), *opens, *closes})
    for i, stop in zip(bounds, [*bounds[1:], None], strict=True):
        for order, tag in sorted(closes.get(i, ()), key=lambda t: -t[0]):
            if order not in dropped:
                _close(out, stack, order, tag)
        for order, tag in opens.get(i, ()):
            if len(stack) >= MAX_DEPTH:
                dropped.add(order)
                continue
            out.append(tag)
            stack.append((order, tag))
        if stop is not None:
            out.append(html.escape(text[i:stop]).replace("\n", "<br>"))
    return Markup("".join(out))


def _close(out: list[str], stack: list[tuple[int, str]], order: int, tag: str) -> None:
    """Close ``order``'s tag, re-opening anything opened inside it (overlapping entities)."""
    reopen = []
    while stack:
        top_order, top_open = stack.pop()
        if top_order == order:
            out.append(tag)
            break
        out.append(_closing_for(top_open))
        reopen.append((top_order, top_open))
    for item in reversed(reopen):
        out.append(item[1])
        stack.append(item)


def _closing_for(open_tag: str) -> str:
    if open_tag.startswith("<pre>"):
        return "</code></pre>"
    name = open_tag[1:].split(">")[0].split(" ")[0]
    return f"</{name}>"


def plain_summary(text: str | None, limit: int = 120) -> str:
    """The first line of a text, shortened, for titles and previews."""
    first = (text or "").strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    from archiver.store.search_text import fold_for_stems

    return fold_for_stems(ch)


def _folded_with_index(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded for stems character by character, and for each folded character the
    index of the character it came from. ASCII text (most snippets) folds in one call; other
    text folds through a cache of single characters, since a text repeats few distinct ones."""
    if text.isascii():
        return text.lower(), range(len(text))
    from archiver.store.search_text import fold_aligned

    aligned = fold_aligned(text)
    if aligned is not None:
        return aligned, range(len(text))
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
    if len(folded) == len(text) and "" not in pieces:  # then every piece is one character
        return folded, range(len(text))
    return folded, _SourceIndex(list(itertools.accumulate(map(len, pieces))))


class _PositionMap(Sequence[int]):
    """For each character of a derived text, the index of the character it came from, found
    on demand: snippets look up a few positions, and listing them all cost more than the rest
    of a snippet. Subclasses say how one position maps (`_source`)."""

    def __init__(self, length: int) -> None:
        self._length = length

    def __len__(self) -> int:
        return self._length

    def _source(self, position: int) -> int:
        raise NotImplementedError

    @overload
    def __getitem__(self, position: int) -> int: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[int]: ...
    def __getitem__(self, position: int | slice) -> int | Sequence[int]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(self._length))]
        if not 0 <= position < self._length:
            raise IndexError(position)
        return self._source(position)


class _SourceIndex(_PositionMap):
    """For a folded text, by bisecting the folded length after each source character."""

    def __init__(self, ends: list[int]) -> None:
        super().__init__(ends[-1] if ends else 0)
        self._ends = ends

    def _source(self, position: int) -> int:
        return bisect.bisect_right(self._ends, position)


class _Undropped(_PositionMap):
    """For a text with some characters dropped, its index in ``inner`` (the text before):
    the position plus the number of dropped characters before it, found by bisecting."""

    def __init__(self, dropped: Sequence[int], length: int, inner: Sequence[int]) -> None:
        super().__init__(length)
        # kept characters before each dropped one; nondecreasing, as ``dropped`` increases
        self._gaps = [at - count for count, at in enumerate(dropped)]
        self._inner = inner

    def _source(self, position: int) -> int:
        return self._inner[position + bisect.bisect_right(self._gaps, position)]


def highlight(text: str | None, words: list[str], width: int = 240) -> Markup:
    """An escaped excerpt of ``text`` around the first match, matches in ``<mark>``.

    ``words`` are folded search words, marked where a word of the text starts with one;
    matching is done on folded text so that a search without diacritics highlights the
    original word with them. If ``words`` has ``stems`` (``search_query.QueryWords``), a word
    of the text whose stems include one is marked whole: a search for مدينة marks بالمدينة.
    Only the first ``MAX_HIGHLIGHT_SOURCE`` characters are looked at, so a huge text costs
    no more.
    """
    from archiver.store.search_text import exact_from_stem_fold

    whole = text or ""
    text = whole[:MAX_HIGHLIGHT_SOURCE]
    for_stems, index = _folded_with_index(text)
    folded = exact_from_stem_fold(for_stems)
    exact_index = index
    if len(folded) != len(for_stems):  # ZWNJ dropped: a Persian word's parts joined up
        zwnj = [m.start() for m in _ZWNJ.finditer(for_stems)]
        exact_index = _Undropped(zwnj, len(folded), index)
    spans: list[tuple[int, int]] = []
    pattern = _words_pattern(frozenset(w for w in words if w))
    if pattern is not None:
        spans = [
            (exact_index[m.start()], exact_index[m.end() - 1] + 1) for m in pattern.finditer(folded)
        ]
    stems: frozenset[str] = getattr(words, "stems", frozenset())
    if stems and not for_stems.isascii():
        marks_whole = functools.partial(_stems_meet(), stems)
        for match in _TEXT_WORD.finditer(for_stems):
            if marks_whole(match.group()):
                spans.append((index[match.start()], index[match.end() - 1] + 1))
        spans.sort(key=_span_order)
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    stop = min(len(text), start + width)
    out = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < pos or s >= stop:
            continue
        while e < len(text) and unicodedata.category(text[e]) == "Mn":
            e += 1  # a mark after the last letter (Arabic kasra) stays with its letter
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:stop]))
    out.append("…" if stop < len(whole) else "")
    return Markup("".join(out).replace("\n", "<br>"))


def _span_order(span: tuple[int, int]) -> tuple[int, int]:
    return span[0], -span[1]


@functools.lru_cache(maxsize=1024)
def _words_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    """One expression finding every place a text's word starts with one of ``words``,
    compiled once per query. Longer words first: where two start at one place the longer is
    marked, as it was when each word was looked for on its own and the overlap dropped. No
    two matches overlap otherwise: the words are letters and digits (``search_query``), and
    each match starts at a word start."""
    if not words:
        return None
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + ")")


def _stems_meet() -> Callable[[frozenset[str], str], bool]:
    from archiver.store.search_query import stems_meet

    return stems_meet


def group_albums(posts: list[Any]) -> list[list[Any]]:
    """Consecutive posts of one album (same ``grouped_id``) as one card; others alone."""
    cards: list[list[Any]] = []
    for post in posts:
        gid = getattr(post, "grouped_id", None)
        if cards and gid is not None and getattr(cards[-1][0], "grouped_id", None) == gid:
            cards[-1].append(post)
        else:
            cards.append([post])
    for card in cards:
        card.sort(key=lambda p: p.msg_id)
    return cards
