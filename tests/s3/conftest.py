"""S3 fixtures: a real S3-compatible server (moto's) on a loopback port, a bucket per test.

moto is a test dependency (``.[test]``): without it these tests fail at the import below,
they are never skipped. Buckets are versioned, so a second upload of the same key would show
up as a second version: that is how the dedup tests see that nothing was uploaded twice.
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from s3_server import s3_server

from archiver.config import Config, S3Config
from archiver.media import LocalMediaStore, open_media_store

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tgmirror-test", "AWS_SECRET_ACCESS_KEY": "tgmirror-secret"}
_names = itertools.count(1)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of an S3 server on 127.0.0.1, for the whole session."""
    with s3_server() as url:
        yield url


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The AWS_* variables of the test server, set in this process (and for subprocesses)."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return dict(CREDENTIALS)


@pytest.fixture
def s3_admin(s3_endpoint: str) -> Any:
    """A plain boto3 client on the test server, to look at and damage the bucket directly."""
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def bucket(s3_admin: Any) -> str:
    """A new, empty, versioned bucket."""
    name = f"tgmirror-test-{next(_names)}"
    s3_admin.create_bucket(Bucket=name)
    s3_admin.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def s3_settings(s3_endpoint: str, bucket: str):
    """Factory: the ``[storage]`` table of an S3-backed archive (``web`` mode as asked)."""

    def make(web: str = "stream", prefix: str = "archive/media") -> dict[str, Any]:
        s3 = {"bucket": bucket, "prefix": prefix, "endpoint_url": s3_endpoint, "web": web}
        return {"data_dir": "data", "media_backend": "s3", "s3": s3}

    return make


@pytest.fixture
def bucket_versions(s3_admin: Any, bucket: str):
    """Every version of every object in the test bucket, as ``[(key, size), ...]``."""

    def list_versions() -> list[tuple[str, int]]:
        found = s3_admin.list_object_versions(Bucket=bucket).get("Versions", [])
        return sorted((v["Key"], v["Size"]) for v in found)

    return list_versions


@pytest.fixture
def s3_archive(archive_copy: dict, s3_env: dict, s3_settings):
    """Factory: a private copy of the simulated archive whose media are in the test bucket
    (uploaded through ``S3MediaStore``) and no longer on disk; returns the archive dict with
    its S3 config."""

    async def make(web: str = "stream") -> dict[str, Any]:
        config: Config = archive_copy["config"]
        settings = s3_settings(web)
        s3 = S3Config(**{k: v for k, v in settings["s3"].items()})
        storage = dataclasses.replace(config.storage, media_backend="s3", s3=s3)
        s3_config = dataclasses.replace(config, storage=storage)
        store = open_media_store(s3_config)
        local = LocalMediaStore(config.media_dir)
        try:
            async for found in local.objects():
                ext = Path(found.key).suffix
                stored = await store.put([(config.media_dir / found.key).read_bytes()], ext)
                assert stored.key == found.key
        finally:
            await store.aclose()
        shutil.rmtree(config.media_dir)
        return {**archive_copy, "config": s3_config}

    return make
