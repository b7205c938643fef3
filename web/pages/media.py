"""Media files from the content store: by hash only, for visible posts, with Range and ETag.

The request never names a filesystem path or object key: the hash is looked up in the
database, and its stored key is read from the media store. Local files go out as
``FileResponse``; files in S3 by redirect to a presigned URL or streamed through the app,
as ``storage.s3.web`` says.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from archiver.config import Config
from archiver.media import LocalMediaStore, MediaStore, S3MediaStore
from archiver.store.visibility import public_file
from web.deps import ConfigDep, MediaDep, QuickConnDep
from web.object_response import StoredObjectResponse

router = APIRouter()
_NAME = re.compile(r"^([0-9a-f]{64})(\.[A-Za-z0-9]{1,8})?$")


@router.get("/media/{name}", include_in_schema=False)
async def media(
    request: Request, name: str, conn: QuickConnDep, config: ConfigDep, store: MediaDep
) -> Response:
    match = _NAME.match(name)
    if match is None:
        raise HTTPException(404, "No such file.")
    sha256 = match.group(1)
    found = await public_file(conn, sha256, config.web.publish)
    if found is None:
        raise HTTPException(404, "No such file.")
    return await stored_file_response(request, store, config, found[0], found[1], f'"{sha256}"')


async def stored_file_response(
    request: Request, store: MediaStore, config: Config, key: str, mime: str, etag: str
) -> Response:
    """A stored file as the reader gets it, cached for a year (its name is its content):
    a local file, or an S3 object by presigned redirect or streamed, as configured."""
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if isinstance(store, S3MediaStore) and config.storage.s3.web == "redirect":
        expiry = config.storage.s3.presign_expiry
        url = await store.presigned_url(key, mime, expiry)
        # A cached redirect must not outlive its URL: keep it for half the URL's life.
        return RedirectResponse(url, 302, {"Cache-Control": f"private, max-age={expiry // 2}"})
    if isinstance(store, LocalMediaStore):
        path = store.resolve(key)
        if path is None or not path.is_file():
            raise HTTPException(404, "No such file.")
        return FileResponse(path, media_type=mime, headers=headers, stat_result=path.stat())
    stored = await store.stat(key)
    if stored is None:
        raise HTTPException(404, "No such file.")
    return StoredObjectResponse(store, stored, mime, headers)
