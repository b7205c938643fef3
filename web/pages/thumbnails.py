"""Photo thumbnails (``/thumb/{width}/{sha256}.jpg``): made on the first request from the
stored original, kept in the media store under their own key and recorded in the database,
then served like any stored file. Only widths the pages ask for are made."""

from __future__ import annotations

import asyncio
import re
import time

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.errors import MediaStoreError
from archiver.media import MediaStore
from archiver.media.thumbnail import MAX_SOURCE_BYTES, resize_jpeg
from archiver.site.photos import THUMB_WIDTHS
from archiver.store.thumbnails import find_thumbnail, save_thumbnail
from archiver.store.visibility import public_file
from web.deps import ConfigDep, MediaDep, QuickConnDep
from web.pages.media import stored_file_response

router = APIRouter()
_NAME = re.compile(r"^([0-9a-f]{64})\.jpg$")


@router.get("/thumb/{width}/{name}", include_in_schema=False)
async def thumbnail(
    request: Request,
    width: int,
    name: str,
    conn: QuickConnDep,
    config: ConfigDep,
    store: MediaDep,
) -> Response:
    match = _NAME.match(name)
    if match is None or width not in THUMB_WIDTHS:
        raise HTTPException(404, "No such file.")
    sha256 = match.group(1)
    found = await public_file(conn, sha256, config.web.publish)
    if found is None or not found[1].startswith("image/"):
        raise HTTPException(404, "No such file.")
    key = await find_thumbnail(conn, sha256, width)
    if key is None:
        try:
            key = await make_thumbnail(request.app.state.engine, store, sha256, found[0], width)
        except MediaStoreError:
            return RedirectResponse(f"/media/{sha256}", 302)  # unreadable: the original
    etag = f'"{sha256}-{width}"'
    return await stored_file_response(request, store, config, key, "image/jpeg", etag)


async def make_thumbnail(
    engine: AsyncEngine, store: MediaStore, sha256: str, source_key: str, width: int
) -> str:
    """Resize the stored photo ``source_key``, store the JPEG and record it; its store key."""
    data = bytearray()
    async for chunk in store.read(source_key):
        data += chunk
        if len(data) > MAX_SOURCE_BYTES:
            raise MediaStoreError(f"{source_key}: too large to resize")
    jpeg = await asyncio.to_thread(resize_jpeg, bytes(data), width)
    stored = await store.put([jpeg], ".jpg")
    async with engine.begin() as conn:
        await save_thumbnail(conn, sha256, width, stored.key, stored.size, int(time.time()))
    return stored.key
