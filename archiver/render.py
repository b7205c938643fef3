"""Render stored message text and entities to safe HTML (pure; used by the web and exports).

Everything is escaped; markup comes only from entities. Entity offsets are UTF-16 code units
(docs/message-json.md), so the text is split on UTF-16 boundaries. Text links keep only
http, https, tg and mailto URLs; anything else (``javascript:``, ``data:``) renders as plain
text. ``dir="auto"`` on the container is the caller's job.
"""

from __future__ import annotations

import html
import re
from typing import Any
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


def safe_url(url: Any) -> str | None:
    """The URL if its scheme is allowed (a bare ``example.org/x`` gets https), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(ch in url for ch in "\x00\r\n\t") or not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    if not scheme and _URLISH.match(url):
        return "https://" + url
    return url if scheme in SAFE_SCHEMES else None


def _utf16_units(text: str) -> list[str]:
    """Split text so index i is UTF-16 unit i (the second unit of a pair is '')."""
    if max(text, default="") <= "\uffff":
        return list(text)
    units: list[str] = []
    for ch in text:
        units.append(ch)
        if ord(ch) > 0xFFFF:
            units.append("")
    return units


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


def render_text(text: str | None, entities: Any = None) -> Markup:
    """HTML for a message text with its entities; newlines become ``<br>``."""
    if not text:
        return Markup("")
    units = _utf16_units(text)
    n = len(units)
    opens: dict[int, list[tuple[int, str]]] = {}
    closes: dict[int, list[tuple[int, str]]] = {}
    valid = []
    for e in entities if isinstance(entities, list) else []:
        if not isinstance(e, dict):
            continue
        start, length = e.get("offset"), e.get("length")
        if not isinstance(start, int) or not isinstance(length, int) or length <= 0:
            continue
        start, end = max(0, start), min(n, start + length)
        if start < end:
            valid.append((start, end, e))
    # Outer entities open first and close last, so tags nest even when spans share bounds.
    valid.sort(key=lambda item: (item[0], -item[1]))
    for order, (start, end, e) in enumerate(valid):
        inner = "".join(units[start:end])
        open_tag, close_tag = _open_close(e, inner)
        if open_tag:
            opens.setdefault(start, []).append((order, open_tag))
            closes.setdefault(end, []).append((order, close_tag))
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    bounds = sorted({0, n, *opens, *closes})
    for i, stop in zip(bounds, [*bounds[1:], None], strict=True):
        for order, tag in sorted(closes.get(i, ()), key=lambda t: -t[0]):
            _close(out, stack, order, tag)
        for order, tag in opens.get(i, ()):
            out.append(tag)
            stack.append((order, tag))
        if stop is not None:
            out.append(html.escape("".join(units[i:stop])).replace("\n", "<br>"))
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


def _folded_with_index(text: str) -> tuple[str, list[int]]:
    from archiver.store.search_text import fold

    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for folded in fold(ch):
            chars.append(folded)
            index.append(i)
    return "".join(chars), index


def highlight(text: str | None, words: list[str], width: int = 240) -> Markup:
    """An escaped excerpt of ``text`` around the first match, matches in ``<mark>``.

    ``words`` are folded search words; matching is done on folded text so that a search
    without diacritics highlights the original word with them.
    """
    text = text or ""
    folded, index = _folded_with_index(text)
    spans: list[tuple[int, int]] = []
    for word in {w for w in words if w}:
        for match in re.finditer(r"(?<!\w)" + re.escape(word), folded):
            spans.append((index[match.start()], index[match.end() - 1] + 1))
    spans.sort()
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
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:stop]))
    out.append("…" if stop < len(text) else "")
    return Markup("".join(out).replace("\n", "<br>"))


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
