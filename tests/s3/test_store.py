"""The S3 media store against a real S3 server: keys, dedup by hash, ranges, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from archiver.config import AwsCredentials, S3Config
from archiver.errors import MediaStoreError
from archiver.media import S3MediaStore

KEYS = AwsCredentials("tgmirror-test", "tgmirror-secret")


@pytest.fixture
async def store(s3_endpoint: str, bucket: str, tmp_path: Path):
    settings = S3Config(bucket=bucket, prefix="/arch/media/", endpoint_url=s3_endpoint)
    s3 = S3MediaStore(settings, KEYS, tmp_path / "spool")
    yield s3
    await s3.aclose()


async def test_same_bytes_from_two_posts_are_uploaded_once(store, s3_admin, bucket, tmp_path):
    photo = b"\x89PNG\r\n\x1a\n" + b"pixels" * 1000
    first = await store.put([photo], ".png")
    writer = store.open_writer(".png")  # the way Telethon's downloader writes
    for i in range(0, len(photo), 1000):
        writer.write(photo[i : i + 1000])
    second = await writer.commit()
    assert first == second
    sha = hashlib.sha256(photo).hexdigest()
    assert first.key == f"{sha[:2]}/{sha[2:4]}/{sha}.png"
    assert first.sniffed_mime == "image/png"
    versions = s3_admin.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["Key"], v["Size"]) for v in versions] == [(f"arch/media/{first.key}", len(photo))]
    obj = s3_admin.get_object(Bucket=bucket, Key=f"arch/media/{first.key}")
    assert obj["Body"].read() == photo
    assert obj["ContentType"] == "image/png"
    assert list((tmp_path / "spool").iterdir()) == []  # spooled files are gone


async def test_a_broken_download_uploads_nothing(store, s3_admin, bucket, tmp_path):
    async def download():
        yield b"partial"
        raise ConnectionError("Telegram went away")

    with pytest.raises(ConnectionError):
        await store.put(download(), ".mp4")
    assert "Contents" not in s3_admin.list_objects_v2(Bucket=bucket)
    assert list((tmp_path / "spool").iterdir()) == []


async def test_ranges_stat_copy_list_and_delete(store, tmp_path):
    data = bytes(range(256)) * 400
    stored = await store.put([data[:5000], data[5000:]], ".bin")
    found = await store.stat(stored.key)
    assert found is not None and found.size == len(data)
    assert b"".join([c async for c in store.read(stored.key, 1000, 1010)]) == data[1000:1010]
    assert b"".join([c async for c in store.read(stored.key, 102390)]) == data[102390:]
    assert [o.key async for o in store.objects()] == [stored.key]
    target = tmp_path / "out" / "copy.bin"
    assert await store.copy_to(stored.key, target) == len(data)
    assert target.read_bytes() == data
    assert await store.copy_to(stored.key, target) == 0  # already there, same size
    await store.delete(stored.key)
    assert await store.stat(stored.key) is None
    assert await store.copy_to(stored.key, tmp_path / "gone.bin") == 0


async def test_a_missing_bucket_is_one_clear_line(s3_endpoint, tmp_path):
    settings = S3Config(bucket="no-such-bucket", endpoint_url=s3_endpoint)
    s3 = S3MediaStore(settings, KEYS, tmp_path / "spool")
    try:
        with pytest.raises(MediaStoreError) as err:
            await s3.put([b"data"], ".txt")
    finally:
        await s3.aclose()
    message = str(err.value)
    assert message.startswith("s3://no-such-bucket/")
    assert "cannot upload (NoSuchBucket" in message and "check storage.s3" in message
    assert "\n" not in message


async def test_an_unreachable_server_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as sock:  # a loopback port with nothing listening on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = S3Config(bucket="media", endpoint_url=f"http://127.0.0.1:{port}")
    s3 = S3MediaStore(settings, KEYS, tmp_path / "spool")
    try:
        with pytest.raises(MediaStoreError) as err:
            await s3.stat("ab/cd/abcd.jpg")
    finally:
        await s3.aclose()
    assert f"check that http://127.0.0.1:{port} is reachable" in str(err.value)
    assert "\n" not in str(err.value)


def test_presigned_urls_point_at_the_endpoint(s3_endpoint, tmp_path):
    settings = S3Config(bucket="media", endpoint_url=s3_endpoint + "/")
    assert S3MediaStore(settings, KEYS, tmp_path).presign_origin() == s3_endpoint
