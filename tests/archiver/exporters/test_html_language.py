"""The static site is written in the language asked for, right to left for Arabic, and links
the photos it copies (it has no server to make thumbnails) by relative URLs."""

from __future__ import annotations

import re

from archiver.db.engine import open_engine
from archiver.exporters.html import export_html
from archiver.media import LocalMediaStore
from archiver.store.channels import get_channel


async def test_an_arabic_site_reads_right_to_left(archive_copy, tmp_path) -> None:
    config, channel_id = archive_copy["config"], archive_copy["ru"]
    engine = open_engine(config.database_url)
    try:
        async with engine.connect() as conn:
            channel = await get_channel(conn, channel_id)
            await export_html(
                conn, channel, tmp_path / "site", LocalMediaStore(config.media_dir), language="ar"
            )
    finally:
        await engine.dispose()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in index and "مشاهدة" in index
    photos = re.findall(r'<img src="([^"]+)"[^>]*alt="صورة', index)
    assert photos and all(src.startswith("media/") for src in photos)
    assert all((tmp_path / "site" / src).is_file() for src in photos)
    assert "/thumb/" not in index and "?lang=" not in index
