"""How a page shows a stored photo: a thumbnail in two widths (``srcset``) with its size, so
a phone on a slow link loads a few dozen kilobytes instead of the full picture.

Thumbnails are made on first request and kept in the media store (``web.pages.thumbnails``);
the static export, which has no server to make them, links the original.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archiver.site.urls import media_url

THUMB_WIDTHS = (320, 640)
"""A phone's column (and a desktop card at 1x) and a desktop card at 2x or a phone at 2x."""
SIZES = "(max-width: 720px) calc(100vw - 24px), 680px"


@dataclass(frozen=True, slots=True)
class PhotoImage:
    """What an ``<img>`` of a photo needs: ``srcset`` is empty when the original is small."""

    src: str
    srcset: str
    sizes: str
    width: int | None
    height: int | None


def thumb_url(file: Any, width: int) -> str:
    """The URL of the ``width`` pixels wide JPEG thumbnail of a stored photo."""
    return f"/thumb/{width}/{file.sha256}.jpg"


def photo_image(
    file: Any, thumbnails: bool = True, link: Callable[[Any], str] = media_url
) -> PhotoImage:
    """The ``<img>`` of a stored photo: thumbnails when the original is wider than the
    smallest one, else the original itself (``link`` gives its URL)."""
    width, height = file.width, file.height
    if not thumbnails or not width or not height or width <= THUMB_WIDTHS[0]:
        return PhotoImage(link(file), "", "", width, height)
    sources = [(thumb_url(file, w), w) for w in THUMB_WIDTHS if w < width]
    if width <= THUMB_WIDTHS[-1]:
        sources.append((link(file), width))
    srcset = ", ".join(f"{url} {w}w" for url, w in sources)
    src, shown = sources[-1]
    return PhotoImage(src, srcset, SIZES, shown, round(height * shown / width))
