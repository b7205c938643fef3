"""The media store in an S3-compatible bucket: ``s3://<bucket>/<prefix>ab/cd/<sha256><ext>``.

A file is first written to a temporary local file while it is hashed (its key is its hash),
then uploaded once with its sha256 as the object's checksum, which S3 verifies. An object
already under that key with the same size is not uploaded again. The client is aiobotocore,
created on first use and closed by ``aclose``; credentials are passed to it explicitly, so
botocore never searches for others (profiles, instance metadata) behind the user's back.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import mimetypes
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

from archiver.config import AwsCredentials, S3Config
from archiver.errors import ConfigError, MediaStoreError
from archiver.media.store import (
    Chunks,
    HashingFile,
    SpooledWriter,
    StoredFile,
    StoredObject,
    cannot_write,
    write_all,
)

_CHUNK = 1 << 16
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _require_client_library() -> None:
    if importlib.util.find_spec("aiobotocore") is None:
        raise ConfigError(
            'storage.media_backend is "s3" but aiobotocore is not installed: '
            "pip install 'tgmirror[s3]'"
        )


class S3MediaStore:
    """Content-addressed files in a bucket, under ``prefix``."""

    def __init__(self, settings: S3Config, credentials: AwsCredentials, spool_dir: Path) -> None:
        _require_client_library()
        self.settings = settings
        self.bucket = settings.bucket
        clean = settings.prefix.strip("/")
        self.prefix = f"{clean}/" if clean else ""
        self.location = f"s3://{self.bucket}/{self.prefix}"  # for messages
        self._credentials = credentials
        self._spool_dir = spool_dir
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._lock = asyncio.Lock()
        self._uploading: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        """Per key being uploaded: a lock and how many uploads use it (downloads running at
        once may bring the same bytes)."""

    def _client_options(self, config_class: Any) -> dict[str, Any]:
        """Arguments of ``create_client``, for the async client and the sync one that presigns."""
        creds = self._credentials
        return {
            "region_name": self.settings.region,
            "endpoint_url": self.settings.endpoint_url or None,
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
            "aws_session_token": creds.session_token,
            "config": config_class(
                signature_version="s3v4",
                retries={"mode": "standard", "max_attempts": 4},
                connect_timeout=10,
                read_timeout=60,
                # Path style on custom endpoints: MinIO and friends need no wildcard DNS.
                s3={"addressing_style": "path" if self.settings.endpoint_url else "auto"},
            ),
        }

    async def _s3(self) -> Any:
        """The aiobotocore client, created on first use."""
        async with self._lock:
            if self._client is None:
                from aiobotocore.config import AioConfig
                from aiobotocore.session import get_session

                stack = AsyncExitStack()
                async with self._errors("connect to"):
                    self._client = await stack.enter_async_context(
                        get_session().create_client("s3", **self._client_options(AioConfig))
                    )
                self._stack = stack
            return self._client

    def presign_origin(self) -> str:
        """The origin (``scheme://host[:port]``) of this store's presigned URLs, so the mirror's
        Content-Security-Policy can let pages load media from there. Computed, not fetched."""
        from botocore.config import Config as BotoConfig
        from botocore.session import get_session

        client = get_session().create_client("s3", **self._client_options(BotoConfig))
        try:
            params = {"Bucket": self.bucket, "Key": f"{self.prefix}origin"}
            # botocore adds generate_presigned_url to every client when it builds it; its
            # stubs declare it only on the service-typed S3Client.
            url: str = client.generate_presigned_url(  # type: ignore[attr-defined]
                "get_object", Params=params, ExpiresIn=60
            )
        finally:
            client.close()
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    @asynccontextmanager
    async def _errors(self, action: str, key: str = "") -> AsyncIterator[None]:
        """Turn the client's failures into one line naming the bucket and what to check."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            detail = f"{error.get('Code', '?')}: {error.get('Message', '')}".rstrip(": ")
            raise MediaStoreError(
                f"{self.location}{key}: cannot {action} ({detail}); check storage.s3 "
                "(bucket, prefix, region) and the AWS_* credentials"
            ) from exc
        except (BotoCoreError, OSError, TimeoutError) as exc:
            where = self.settings.endpoint_url or "AWS"
            raise MediaStoreError(
                f"{self.location}{key}: cannot {action}: {exc}; check that {where} is reachable "
                "(storage.s3.endpoint_url)"
            ) from exc

    def open_writer(self, ext: str = "") -> S3Writer:
        """A writer that spools to a local temporary file and uploads on ``commit``."""
        try:
            self._spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise MediaStoreError(cannot_write(self._spool_dir, exc)) from exc
        return S3Writer(self, ext)

    async def put(self, chunks: Chunks, ext: str = "") -> StoredFile:
        return await write_all(self.open_writer(ext), chunks)

    async def upload(self, spooled: HashingFile, stored: StoredFile) -> None:
        """Upload a spooled file under its key, unless an object of that size is there (or
        another upload of the same bytes, running now, puts it there)."""
        lock, users = self._uploading.setdefault(stored.key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await self._upload_once(spooled, stored)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._uploading[stored.key]

    async def _upload_once(self, spooled: HashingFile, stored: StoredFile) -> None:
        existing = await self.stat(stored.key)
        if existing is not None and existing.size == stored.size:
            return
        checksum = base64.b64encode(spooled.hash.digest()).decode("ascii")
        content_type = (
            stored.sniffed_mime or mimetypes.guess_type(stored.key)[0] or "application/octet-stream"
        )
        spooled.handle.seek(0)
        s3 = await self._s3()
        async with self._errors("upload", stored.key):
            await s3.put_object(
                Bucket=self.bucket,
                Key=self.prefix + stored.key,
                Body=spooled.handle,
                ContentLength=stored.size,
                ContentType=content_type,
                ChecksumSHA256=checksum,
            )

    async def stat(self, key: str) -> StoredObject | None:
        from botocore.exceptions import ClientError

        s3 = await self._s3()
        async with self._errors("read", key):
            try:
                head = await s3.head_object(Bucket=self.bucket, Key=self.prefix + key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                    return None
                raise
        return StoredObject(key, int(head["ContentLength"]), head["LastModified"].timestamp())

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if end is not None and end <= start:
            return
        s3 = await self._s3()
        wanted = f"bytes={start}-{'' if end is None else end - 1}"
        async with self._errors("read", key):
            response = await s3.get_object(Bucket=self.bucket, Key=self.prefix + key, Range=wanted)
            async with response["Body"] as body:
                async for chunk in body.iter_chunks(_CHUNK):
                    yield chunk

    async def copy_to(self, key: str, target: Path) -> int:
        found = await self.stat(key)
        if found is None or _same_size(target, found.size):
            return 0
        partial = target.with_name(target.name + ".part")
        async with await anyio.open_file(partial, "wb") as handle:
            async for chunk in self.read(key):
                await handle.write(chunk)
        os.replace(partial, target)
        return found.size

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        async with self._errors("delete", key):
            await s3.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    async def objects(self) -> AsyncIterator[StoredObject]:
        s3 = await self._s3()
        async with self._errors("list"):
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            async for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    yield StoredObject(key, int(item["Size"]), item["LastModified"].timestamp())

    async def presigned_url(self, key: str, mime: str, expires: int) -> str:
        """A URL that lets its holder GET the file (with Range) for ``expires`` seconds."""
        s3 = await self._s3()
        params = {"Bucket": self.bucket, "Key": self.prefix + key, "ResponseContentType": mime}
        async with self._errors("sign a URL for", key):
            url: str = await s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
        return url

    async def aclose(self) -> None:
        async with self._lock:
            if self._stack is not None:
                await self._stack.aclose()
            self._stack = self._client = None


def _same_size(target: Path, size: int) -> bool:
    """True if ``target`` already holds a file of ``size`` bytes; else make its folder."""
    if target.exists() and target.stat().st_size == size:
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    return False


class S3Writer(SpooledWriter):
    """A file being spooled for upload (in ``commit``); ``commit`` or ``abort`` it once."""

    def __init__(self, store: S3MediaStore, ext: str) -> None:
        super().__init__(store._spool_dir, ext)
        self._store = store

    async def commit(self) -> StoredFile:
        stored = self._file.stored_file(self._ext)
        try:
            self._file.handle.flush()
            await self._store.upload(self._file, stored)
        except OSError as exc:
            raise MediaStoreError(cannot_write(self._file.folder, exc)) from exc
        finally:
            self._file.abort()
        return stored
