"""``/.well-known/tgmirror/cosignatures``: the cosignatures witnesses sent for this mirror's
heads (GET), and where a witness posts a new one (POST; kept only when it validly cosigns a
head this archive signed)."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from archiver.evidence.witness_run import accept_cosignature
from archiver.store.evidence_cosignatures import received
from web.deps import ConnDep

router = APIRouter(prefix="/.well-known/tgmirror")


@router.get("/cosignatures", include_in_schema=False)
async def cosignatures(conn: ConnDep) -> JSONResponse:
    return JSONResponse(
        [json.loads(b) for b in await received(conn)], headers={"Cache-Control": "no-cache"}
    )


@router.post("/cosignatures", include_in_schema=False)
async def post_cosignature(request: Request) -> JSONResponse:
    try:
        body: Any = await request.json()
    except ValueError:
        raise HTTPException(400, "The body must be a cosignature as JSON.") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "The body must be a cosignature as JSON.")
    async with request.app.state.engine.begin() as conn:
        problem = await accept_cosignature(conn, body, int(time.time()))
    if problem is not None:
        raise HTTPException(400, f"Cosignature refused: {problem}.")
    return JSONResponse({"kept": True}, status_code=201)
