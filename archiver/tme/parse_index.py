"""Find a t.me/s page's posts and the parts of each post with one selector query a page:
the parser's hot path.

A selector query costs about a walk of the tree it runs on (a list of 30 class selectors, ten
walks), so one query finds the posts and the page's own parts, and each post is indexed in one
`traverse` of its elements. Every later lookup is a dict lookup in an `Index`.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

Index = dict[str, LexborNode]
"""The first node with each (first) class in a post, media block or page; `media` is the
post's media block (see `MEDIA`)."""

PAGE = '[data-post], [class*="tgme_channel"], [data-before]'
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


def first_class(node: LexborNode) -> str:
    """The class t.me names a part by: the first (the others are modifiers such as
    `js-message_text`, `gif` or `audio`, read from the node itself)."""
    return (node.attributes.get("class") or "").partition(" ")[0]


def index_post(post: LexborNode) -> Index:
    """One post's parts: every element under it by its first class, first one wins. The
    walk is selectolax's own (`traverse`, elements only): no selector, one pass."""
    idx: Index = {}
    media = MEDIA
    for node in post.traverse(include_text=False):
        name = (node.attributes.get("class") or "").partition(" ")[0]
        if name not in idx:
            idx[name] = node
            if name in media and "media" not in idx:
                idx["media"] = node
    return idx


def index_page(tree: LexborHTMLParser) -> tuple[Index, list[tuple[LexborNode, Index]]]:
    """The page's own parts (history, title, blocked notice, "more" link) and its posts,
    each with its index, in page order."""
    page: Index = {}
    posts: list[tuple[LexborNode, Index]] = []
    for node in tree.css(PAGE):
        attrs = node.attributes
        if "data-post" in attrs:  # a post: `tgme_widget_message` with its channel/id
            posts.append((node, index_post(node)))
            continue
        if "data-before" in attrs:
            page.setdefault("data-before", node)
        page.setdefault((attrs.get("class") or "").partition(" ")[0], node)
    return page, posts


def index_item(node: LexborNode) -> Index:
    """An album item (a media block itself), indexed like a post."""
    idx = index_post(node)
    idx["media"] = node
    return idx


def child_tag(node: LexborNode | None, tag: str) -> LexborNode | None:
    """The first child of `node` (or, failing that, descendant) that is a `tag` element."""
    if node is None:
        return None
    child = node.child
    while child is not None:
        if child.tag == tag:
            return child
        child = child.next
    return node.css_first(tag)
