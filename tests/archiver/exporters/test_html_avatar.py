"""The static site carries the channel's photo, which channel.html shows as media/<sha256>."""

from __future__ import annotations

from archiver.db.engine import open_engine
from archiver.exporters.html import export_html
from archiver.media import LocalMediaStore
from archiver.store.channels import get_channel, set_channel_fields
from archiver.store.media import record_file

AVATAR = b"\xff\xd8\xff" + b"avatar" * 20


async def test_the_channel_photo_is_copied_where_the_page_points(archive_copy, tmp_path):
    config, channel_id = archive_copy["config"], archive_copy["ar"]
    media = LocalMediaStore(config.media_dir)
    stored = media.put_bytes(AVATAR, ".jpg")
    engine = open_engine(config.database_url)
    try:
        async with engine.begin() as conn:
            await record_file(conn, stored.sha256, stored.size, "image/jpeg", stored.key, 1)
            await set_channel_fields(conn, channel_id, photo_sha256=stored.sha256)
        async with engine.connect() as conn:
            channel = await get_channel(conn, channel_id)
            await export_html(conn, channel, tmp_path / "site", media)
    finally:
        await engine.dispose()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f'src="media/{stored.sha256}"' in index
    assert (tmp_path / "site" / "media" / stored.sha256).read_bytes() == AVATAR
