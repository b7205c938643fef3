"""Resize a photo to a JPEG thumbnail of a given width (Pillow).

Pillow decodes a JPEG at a reduced scale (``draft``), so a thumbnail of a large photo costs a
fraction of a full decode; EXIF orientation is applied and metadata (EXIF, GPS) is dropped.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from archiver.errors import MediaStoreError

MAX_SOURCE_BYTES = 30 * 1024 * 1024
"""Larger originals are not resized here (Telegram sends photos of a few megabytes)."""
QUALITY = 78
_BombError = Image.DecompressionBombError


def resize_jpeg(data: bytes, width: int) -> bytes:
    """``data`` (any image Pillow reads) as a progressive JPEG ``width`` pixels wide, or as
    wide as the original when it is narrower."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.width > width:
                source.draft("RGB", (width, max(1, source.height * width // source.width)))
            image: Image.Image = ImageOps.exif_transpose(source).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombWarning, _BombError) as exc:
        raise MediaStoreError(f"cannot read the photo to resize it: {exc}") from exc
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()
