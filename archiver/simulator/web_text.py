"""Message text with entities as t.me/s shows it: `<b>`, `<a href>`, `<tg-spoiler>`, `<br/>`…

Pure: a Telethon message's text and entities (UTF-16 offsets) go in, the inner HTML of a
`tgme_widget_message_text` div comes out. The tags are the ones Telegram's web preview uses
(see docs/telegram-behaviour.md, "t.me/s"); `web_parse` reads them back.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import quote


def _utf16_units(text: str) -> list[str]:
    """Split `text` into one string per UTF-16 code unit position (astral chars take 2)."""
    out: list[str] = []
    for ch in text:
        out.append(ch)
        if ord(ch) > 0xFFFF:
            out.append("")
    return out


def _url_href(text: str) -> str:
    return text if "://" in text else f"http://{text}"


def _open_tag(entity: Any, covered: str) -> tuple[str, str]:
    """The opening and closing tag of one entity over the text it covers."""
    name = type(entity).__name__.removeprefix("MessageEntity")
    simple = {
        "Bold": "b",
        "Italic": "i",
        "Underline": "u",
        "Strike": "s",
        "Code": "code",
        "Pre": "pre",
        "Spoiler": "tg-spoiler",
    }
    if name in simple:
        tag = simple[name]
        return f"<{tag}>", f"</{tag}>"
    link: dict[str, Callable[[], str]] = {
        "TextUrl": lambda: getattr(entity, "url", ""),
        "Url": lambda: _url_href(covered),
        "Mention": lambda: f"https://t.me/{covered.lstrip('@')}",
        "Hashtag": lambda: f"?q={quote(covered)}",
        "Cashtag": lambda: f"?q={quote(covered)}",
        "Email": lambda: f"mailto:{covered}",
    }
    if name in link:
        href = escape(link[name](), quote=True)
        extra = ' target="_blank" rel="noopener"' if name in ("TextUrl", "Url") else ""
        return f'<a href="{href}"{extra}>', "</a>"
    if name == "Blockquote":
        cls = ' class="expandable"' if getattr(entity, "collapsed", False) else ""
        return f"<blockquote{cls}>", "</blockquote>"
    if name == "CustomEmoji":
        emoji_id = getattr(entity, "document_id", 0)
        return (f'<tg-emoji emoji-id="{emoji_id}"><i class="emoji"><b>', "</b></i></tg-emoji>")
    return "", ""  # phone, bot command, bank card…: plain text on t.me


def text_html(text: str, entities: list[Any] | None) -> str:
    """The text as t.me/s markup: entity tags nested by span, newlines as `<br/>`."""
    units = _utf16_units(text)
    spans = sorted(
        (e for e in entities or [] if getattr(e, "length", 0) > 0),
        key=lambda e: (e.offset, -e.length),
    )
    opens: dict[int, list[tuple[Any, str, str]]] = {}
    for e in spans:
        covered = "".join(units[e.offset : e.offset + e.length])
        start, end = _open_tag(e, covered)
        opens.setdefault(e.offset, []).append((e, start, end))
    out: list[str] = []
    stack: list[tuple[int, str, str]] = []  # (end offset, open tag, close tag)
    for pos in range(len(units) + 1):
        closing = [s for s in stack if s[0] == pos]
        if closing:  # close the innermost first; reopen what was opened inside a closing one
            reopen: list[tuple[int, str, str]] = []
            while any(s[0] == pos for s in stack):
                top = stack.pop()
                out.append(top[2])
                if top[0] != pos:
                    reopen.append(top)
            for item in reversed(reopen):
                out.append(item[1])
                stack.append(item)
        for e, start, end in opens.get(pos, []):
            out.append(start)
            stack.append((e.offset + e.length, start, end))
        if pos < len(units):
            ch = units[pos]
            out.append("<br/>" if ch == "\n" else escape(ch, quote=False))
    return "".join(out)
