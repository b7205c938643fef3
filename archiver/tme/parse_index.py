"""What the t.me/s parser reads a node by: its first class, its tag id, an index of a block.

Every element Python touches costs more than lexbor's whole walk of it (bench/web_preview.py),
so the parser reads a class through `attrs` (one attribute, not the dict of all of them), keeps
the first class of each distinct class list it has seen, and tells text, `<br>`, `<time>`…
apart by lexbor's tag id rather than the tag's name.
"""

from __future__ import annotations

import sys

from selectolax.lexbor import LexborHTMLParser, LexborNode

Index = dict[str, LexborNode]
"""The first node with each (first) class in a block; `media` is the first media block (see
`MEDIA`)."""

MEDIA = frozenset(
    {
        "tgme_widget_message_photo_wrap",
        "tgme_widget_message_roundvideo_player",
        "tgme_widget_message_video_player",
        "tgme_widget_message_voice_player",
        "tgme_widget_message_sticker_wrap",
        "tgme_widget_message_document_wrap",
        "tgme_widget_message_poll",
        "tgme_widget_message_location_wrap",
        "tgme_widget_message_link_preview",
        "tgme_widget_message_contact_wrap",
    }
)
"""The classes of a post's media block."""


def _tag_ids() -> dict[str, int]:
    """lexbor's ids of the standard tags the parser tells apart (custom elements such as
    `tg-emoji` get an id per document, so those are read by name)."""
    names = ("b", "strong", "i", "em", "u", "s", "del", "code", "pre", "blockquote", "a")
    html = "<div>x<br><!--c--><time></time>" + "".join(f"<{t}></{t}>" for t in names) + "</div>"
    p = LexborHTMLParser(html).css_first("div")
    assert p is not None
    ids: dict[str, int] = {}
    for node in p.traverse(include_text=True):
        ids.setdefault(node.tag or "", node.tag_id)
    return ids


TAG_IDS = _tag_ids()
TEXT_NODE = TAG_IDS["-text"]
COMMENT_NODE = TAG_IDS["-comment"]
BR = TAG_IDS["br"]
TIME = TAG_IDS["time"]

FIRST: dict[str | None, str] = {None: ""}
"""`class` attribute -> its first class (interned); t.me uses a few dozen distinct lists."""


def first_of(cls: str | None) -> str:
    """The first class of a `class` attribute, remembered in `FIRST`."""
    if len(FIRST) > 4096:  # markup that never repeats itself: do not grow without end
        FIRST.clear()
        FIRST[None] = ""
    name = FIRST[cls] = sys.intern((cls or "").partition(" ")[0])
    return name


def attr(node: LexborNode, name: str) -> str | None:
    """One attribute of the node (None without it): `attrs` reads only that one, where
    `attributes` decodes all of them into a dict."""
    try:
        return node.attrs[name]
    except (KeyError, TypeError):  # no such attribute; TypeError: not an element
        return None


def class_of(node: LexborNode) -> str | None:
    """The node's `class` attribute (None without one)."""
    return attr(node, "class")


def first_class(node: LexborNode) -> str:
    """The class t.me names a part by: the first (the others are modifiers such as
    `js-message_text`, `gif` or `audio`, read from the node itself)."""
    try:
        cls: str | None = node.attrs["class"]
    except (KeyError, TypeError):  # no class; TypeError: not an element
        cls = None
    name = FIRST.get(cls)
    return name if name is not None else first_of(cls)


def index_tree(top: LexborNode, idx: Index) -> None:
    """Add `top` and every element under it to `idx` by first class, first one wins; the
    first with a `MEDIA` class is also `media`. selectolax's own walk: one pass, no selector."""
    cache = FIRST
    for node in top.traverse(include_text=False):
        try:
            cls: str | None = node.attrs["class"]
        except (KeyError, TypeError):  # no class; TypeError: a comment
            cls = None
        name = cache.get(cls)
        if name is None:
            name = first_of(cls)
        if name not in idx:
            idx[name] = node
            if name in MEDIA and "media" not in idx:
                idx["media"] = node


def index_blocks(blocks: list[LexborNode]) -> Index:
    """`index_tree` of each block, in order, into one index."""
    idx: Index = {}
    for block in blocks:
        index_tree(block, idx)
    return idx


def index_item(node: LexborNode) -> Index:
    """An album item (a media block itself), indexed like a post's parts."""
    idx: Index = {}
    index_tree(node, idx)
    idx["media"] = node
    return idx


def child_tag(node: LexborNode | None, tag: str) -> LexborNode | None:
    """The first child of `node` (or, failing that, descendant) that is a `tag` element."""
    if node is None:
        return None
    child = node.first_child
    while child is not None:
        if child.tag == tag:
            return child
        child = child.next
    return node.css_first(tag)
