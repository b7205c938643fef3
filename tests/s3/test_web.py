"""The mirror serves media kept in S3: streamed with Range like local files, or by redirect
to a presigned URL that the S3 server answers (Range included)."""

from __future__ import annotations

import hashlib

import archive_sql
import httpx

from web.app import create_app


def _video(config, archive) -> tuple[str, str, int, str]:
    """(sha256, key, size, mime) of a video shown in an erased (public) channel."""
    return archive_sql.one(
        config.database_url,
        "SELECT f.sha256, f.path, f.size, f.mime FROM message_media mm"
        " JOIN media_files f ON f.sha256 = mm.sha256 JOIN messages m ON m.id = mm.message_id"
        " WHERE mm.kind IN ('video', 'round', 'gif') AND m.channel_id IN (:ar, :ru)"
        " AND f.size > 100 ORDER BY f.sha256 LIMIT 1",
        ar=archive["ar"],
        ru=archive["ru"],
    )


class _Mirror:
    """The app with its lifespan, through httpx's ASGI transport."""

    def __init__(self, config) -> None:
        self.app = create_app(config)

    async def __aenter__(self) -> httpx.AsyncClient:
        self._life = self.app.router.lifespan_context(self.app)
        await self._life.__aenter__()
        transport = httpx.ASGITransport(app=self.app)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://mirror.test")
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        await self._life.__aexit__(*exc)


async def test_streamed_media_has_range_etag_and_length_like_local_files(s3_archive) -> None:
    archive = await s3_archive(web="stream")
    sha, _key, size, mime = _video(archive["config"], archive)
    async with _Mirror(archive["config"]) as client:
        full = await client.get(f"/media/{sha}.mp4")
        assert full.status_code == 200
        assert hashlib.sha256(full.content).hexdigest() == sha
        data = full.content
        assert full.headers["content-type"] == mime
        assert full.headers["content-length"] == str(size)
        assert full.headers["etag"] == f'"{sha}"'
        assert full.headers["accept-ranges"] == "bytes"
        part = await client.get(f"/media/{sha}.mp4", headers={"Range": "bytes=4-11"})
        assert part.status_code == 206
        assert part.content == data[4:12]
        assert part.headers["content-range"] == f"bytes 4-11/{size}"
        assert part.headers["content-length"] == "8"
        tail = await client.get(f"/media/{sha}", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == data[-10:]
        both = await client.get(f"/media/{sha}", headers={"Range": "bytes=0-1,20-23"})
        assert both.status_code == 206
        assert both.headers["content-type"].startswith("multipart/byteranges")
        assert data[0:2] in both.content and data[20:24] in both.content
        past = await client.get(f"/media/{sha}", headers={"Range": f"bytes={size + 5}-"})
        assert past.status_code == 416
        assert past.headers["content-range"] == f"bytes */{size}"
        cached = await client.get(f"/media/{sha}", headers={"If-None-Match": f'"{sha}"'})
        assert cached.status_code == 304


async def test_streaming_a_lost_object_is_a_404(s3_archive, s3_admin, bucket) -> None:
    archive = await s3_archive(web="stream")
    sha, key, *_ = _video(archive["config"], archive)
    s3_admin.delete_object(Bucket=bucket, Key=f"archive/media/{key}")
    async with _Mirror(archive["config"]) as client:
        assert (await client.get(f"/media/{sha}")).status_code == 404


async def test_redirect_mode_sends_a_presigned_url_that_serves_ranges(
    s3_archive, s3_endpoint
) -> None:
    archive = await s3_archive(web="redirect")
    sha, _key, size, mime = _video(archive["config"], archive)
    async with _Mirror(archive["config"]) as client:
        answer = await client.get(f"/media/{sha}.mp4")
        page = await client.get("/")
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(f"{s3_endpoint}/")
    assert "X-Amz-Signature=" in location
    assert "max-age=1800" in answer.headers["cache-control"]  # half the URL's 3600 s
    csp = page.headers["content-security-policy"]
    assert f"img-src 'self' {s3_endpoint};" in csp and f"media-src 'self' {s3_endpoint};" in csp
    async with httpx.AsyncClient() as browser:  # follows the redirect to the S3 server
        full = await browser.get(location)
        part = await browser.get(location, headers={"Range": "bytes=4-11"})
    assert full.status_code == 200
    assert hashlib.sha256(full.content).hexdigest() == sha
    assert full.headers["content-type"] == mime
    assert part.status_code == 206
    assert part.content == full.content[4:12]
    assert part.headers["content-range"] == f"bytes 4-11/{size}"


async def test_redirects_are_only_for_published_files(s3_archive) -> None:
    archive = await s3_archive(web="redirect")
    hidden = archive_sql.rows(
        archive["config"].database_url,
        "SELECT mf.sha256 FROM media_files mf WHERE NOT EXISTS (SELECT 1 FROM message_media mm"
        " JOIN messages m ON m.id = mm.message_id WHERE mm.sha256 = mf.sha256"
        " AND m.channel_id != :en)",
        en=archive["en"],
    )
    async with _Mirror(archive["config"]) as client:
        for evil in ("../data/tgmirror.db", "0" * 64, *(row[0] for row in hidden)):
            assert (await client.get(f"/media/{evil}")).status_code == 404, evil
