"""Media files from the content store: by hash only, for visible posts, with Range and ETag.

The request never names a filesystem path: the hash is looked up in the database, and the
stored relative path is resolved inside the media directory by ``MediaStore.resolve``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from archiver.media_store import MediaStore
from archiver.store.visibility import public_file
from web.deps import ConfigDep, ConnDep

router = APIRouter()
_NAME = re.compile(r"^([0-9a-f]{64})(\.[A-Za-z0-9]{1,8})?$")


@router.get("/media/{name}", include_in_schema=False)
async def media(request: Request, name: str, conn: ConnDep, config: ConfigDep) -> Response:
    match = _NAME.match(name)
    if match is None:
        raise HTTPException(404, "No such file.")
    sha256 = match.group(1)
    found = await public_file(conn, sha256, config.web.publish)
    path = MediaStore(config.media_dir).resolve(found[0]) if found else None
    if found is None or path is None or not path.is_file():
        raise HTTPException(404, "No such file.")
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=found[1], headers=headers, stat_result=path.stat())
