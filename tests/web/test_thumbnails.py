"""Photos reach pages as thumbnails in two widths: srcset, lazy loading and sizes in the HTML,
and JPEGs made once from the stored original and then kept in the media store."""

from __future__ import annotations

import dataclasses
import io
import re

import archive_sql
from PIL import Image

from archiver.media import open_media_store
from tests.web.conftest import make_client


def _big_photo(archive: dict) -> tuple[str, int]:
    """Store a 1280×960 JPEG as the bytes of the archive's first stored photo."""
    config = archive["config"]
    url = config.database_url
    sha, msg_id = archive_sql.one(
        url,
        "SELECT mm.sha256, m.msg_id FROM message_media mm JOIN messages m ON m.id = mm.message_id "
        "JOIN channels c ON c.id = m.channel_id WHERE mm.kind = 'photo' AND mm.role = 'main' "
        "AND mm.status = 'stored' AND c.username = 'svobodnye_vesti' "
        "ORDER BY m.msg_id DESC LIMIT 1",
    )
    picture = Image.new("RGB", (1280, 960))
    picture.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(960) for x in range(1280)])
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    stored = open_media_store(config).put_bytes(out.getvalue(), ".jpg")  # type: ignore[attr-defined]
    archive_sql.rows(
        url,
        "UPDATE media_files SET path = :p, size = :s, width = 1280, height = 960 WHERE sha256 = :h",
        p=stored.key,
        s=stored.size,
        h=sha,
    )
    archive_sql.rows(
        url, "UPDATE message_media SET width = 1280, height = 960 WHERE sha256 = :h", h=sha
    )
    return sha, msg_id


async def test_a_photo_is_served_as_thumbnails_made_once(archive_copy) -> None:
    sha, msg_id = _big_photo(archive_copy)
    config = archive_copy["config"]
    web = dataclasses.replace(config.web, publish="all")
    async with make_client(dataclasses.replace(config, web=web)) as client:
        post = (await client.get(f"/svobodnye_vesti/{msg_id}")).text
        img = re.search(rf'<img src="/thumb/640/{sha}\.jpg"[^>]*>', post)
        assert img is not None, post
        tag = img.group(0)
        assert f'srcset="/thumb/320/{sha}.jpg 320w, /thumb/640/{sha}.jpg 640w"' in tag
        assert 'width="640" height="480"' in tag and "sizes=" in tag
        assert 'alt="Photo, 1280×960' in tag
        small = await client.get(f"/thumb/320/{sha}.jpg")
        assert small.status_code == 200 and small.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(small.content)).size == (320, 240)
        original = await client.get(f"/media/{sha}")
        assert len(small.content) * 10 < len(original.content)
        again = await client.get(f"/thumb/320/{sha}.jpg")
        assert again.content == small.content
        assert (await client.get(f"/thumb/100/{sha}.jpg")).status_code == 404
    made = archive_sql.rows(
        config.database_url, "SELECT width, path FROM media_thumbnails WHERE sha256 = :h", h=sha
    )
    assert [w for w, _ in made] == [320]  # made once, on the first request
    assert open_media_store(config).resolve(made[0][1]).is_file()  # type: ignore[attr-defined]


async def test_thumbnails_of_an_unpublished_channel_are_not_served(archive_copy) -> None:
    sha, _ = _big_photo(archive_copy)
    archive_sql.rows(
        archive_copy["config"].database_url,
        "UPDATE channels SET publish = 'never' WHERE username = 'svobodnye_vesti'",
    )
    async with make_client(archive_copy["config"]) as client:
        assert (await client.get(f"/thumb/320/{sha}.jpg")).status_code == 404
