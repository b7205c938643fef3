"""The static HTML export opens from file:// in headless Chromium, with posts and media."""

from __future__ import annotations

import re
from pathlib import Path

from archiver.db.engine import open_engine
from archiver.exporters.html import export_html
from archiver.media import LocalMediaStore as MediaStore
from archiver.store.channels import get_channel

from .test_mirror_chromium import dom, screenshot


async def test_static_site_opens_offline(simulated_archive, tmp_path: Path) -> None:
    config = simulated_archive["config"]
    engine = open_engine(config.database_url)
    async with engine.connect() as conn:
        channel = await get_channel(conn, simulated_archive["ar"])
        result = await export_html(conn, channel, tmp_path / "site", MediaStore(config.media_dir))
    await engine.dispose()
    site = tmp_path / "site"
    assert result.posts > 100 and result.files > 10
    index = dom(f"file://{site / 'index.html'}")
    assert "صدى الحقيقة" in index and 'href="page-2.html"' in index
    assert len(re.findall(r'id="post-\d+"', index)) >= 30
    images = re.findall(r'<img src="(media/[0-9a-f]{64}\.\w+)"', index)
    assert images and all((site / src).is_file() for src in images)
    assert 'href="static/style.css"' in index and "/search" not in index
    last = max(site.glob("page-*.html"), key=lambda p: int(p.stem.split("-")[1]))
    assert 'id="post-1"' in last.read_text(encoding="utf-8")
    screenshot("html-export-desktop", f"file://{site / 'index.html'}", "1280,900")
