"""Parse t.me pages: a `/s/<name>` preview into `MessageRow`s, and what a `/<name>` page says
about the name (a channel without preview, a user or bot, nobody, a blocked channel).

Pure: HTML text goes in, a `PreviewPage` comes out. Rows carry `source="web"`; what only the
page shows (views as written, the edit marker, file URLs) lives in `extra["web"]`. The fields
the preview lacks are listed in docs/telegram-behaviour.md ("t.me/s"). Each post is read by
`parse_post`; this module finds the posts and the page's own parts, each with one selector
query (a query costs lexbor a walk of what it searches, and parsing the selector costs about as
much again, so the page is not searched once per part).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.rows import MessageRow

from .parse_index import attr
from .parse_post import read_post


class TruncatedPage(ValueError):
    """The body ended before `</html>`: a cut-off answer, never evidence of anything."""


@dataclass(frozen=True)
class PreviewPage:
    """What one t.me page says.

    kind: "preview" (posts), "blocked" (a notice instead of posts), "channel" (a channel page
    without preview), "user" (the name is a user's or bot's), "nobody" (plain "Contact @name").
    """

    kind: str
    posts: list[MessageRow] = field(default_factory=list)
    before: int | None = None  # the `?before=` of the next older page, None at the first post
    notice: str | None = None
    title: str | None = None


def _text_of(node: LexborNode | LexborHTMLParser, selector: str) -> str | None:
    found = node.css_first(selector)
    return found.text(deep=True).strip() if found is not None else None


def _before(history: LexborNode) -> int | None:
    """The `?before=` of the "more" link that opens the history."""
    more = history.css_first("[data-before]")
    value = attr(more, "data-before") if more is not None else None
    return int(value) if value and value.isdigit() else None


def _preview(tree: LexborHTMLParser, history: LexborNode, channel_id: int) -> PreviewPage:
    """A channel's history: its posts, or the notice t.me shows instead of them."""
    title = _text_of(tree, ".tgme_channel_info_header_title")
    posts = history.css("[data-post]")
    if not posts:
        blocked = _text_of(history, ".tgme_channel_history_blocked")
        if blocked is not None:
            return PreviewPage("blocked", notice=blocked, title=title)
    rows = [row for node in posts for row in read_post(channel_id, node)]
    return PreviewPage("preview", posts=rows, before=_before(history), title=title)


def parse_page(html: str, channel_id: int) -> PreviewPage:
    """Parse a t.me page (after redirects); raises TruncatedPage for a cut-off body."""
    if "</html>" not in html[-64:].lower():
        raise TruncatedPage("the page ends before </html>")
    tree = LexborHTMLParser(html)
    history = tree.css_first(".tgme_channel_history")
    if history is not None:
        return _preview(tree, history, channel_id)
    page = tree.css_first(".tgme_page")
    if page is None:
        raise TruncatedPage("neither a preview nor a t.me page")
    title = _text_of(page, ".tgme_page_title")
    extra = _text_of(page, ".tgme_page_extra") or ""
    description = _text_of(page, ".tgme_page_description")
    if title is None:
        return PreviewPage("nobody", notice=description)
    if extra.startswith("@"):
        return PreviewPage("user", title=title)
    return PreviewPage("channel", notice=description, title=title)
