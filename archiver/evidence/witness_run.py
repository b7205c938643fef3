"""One witnessing run: check a mirror's head, keep and post the cosignature; and the mirror
side, accepting a cosignature of one of its own heads."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from archiver.evidence.heads import head_message
from archiver.evidence.keys import load_or_create_key
from archiver.evidence.witness import (
    WELL_KNOWN,
    Witnessed,
    WitnessError,
    check_head,
    cosign,
    cosignature_valid,
)
from archiver.store.evidence_cosignatures import add_cosignature, last_made
from archiver.store.evidence_log import all_heads

log = logging.getLogger(__name__)


def origin_of(url: str) -> str:
    """``https://mirror.example`` from what a user types (trailing slash, well-known path)."""
    url = url.strip().rstrip("/")
    if WELL_KNOWN in url:
        url = url.split(WELL_KNOWN, 1)[0]
    if not url.startswith(("http://", "https://")):
        raise WitnessError(f"{url!r}: give the mirror's address, e.g. https://mirror.example")
    return url


async def witness(engine: AsyncEngine, data_dir: Path, url: str, now: int) -> Witnessed:
    """Check and countersign the head of the mirror at ``url``; ``WitnessError`` when it
    cannot be accepted (a rewritten history, a bad signature, an unreachable mirror)."""
    origin = origin_of(url)
    key = load_or_create_key(data_dir)
    async with engine.connect() as conn:
        body = await last_made(conn, origin)
    previous = None if body is None else json.loads(body)
    async with httpx.AsyncClient(timeout=30) as client:
        head, before = await check_head(client, origin, previous)
        cosignature = cosign(key, origin, head, now)
        async with engine.begin() as conn:
            witness_id = str(cosignature["witness_key_id"])
            await add_cosignature(
                conn, "made", origin, head.tree_size, witness_id, json.dumps(cosignature), now
            )
        try:
            await client.post(f"{origin}{WELL_KNOWN}/cosignatures", json=cosignature)
        except httpx.HTTPError as exc:
            log.warning("%s: could not post the cosignature: %s", origin, exc)
    return Witnessed(head, before, cosignature)


async def accept_cosignature(conn: AsyncConnection, body: dict[str, Any], now: int) -> str | None:
    """Keep a witness's cosignature of one of this archive's heads; None when kept, else why
    it was refused."""
    if body.get("type") != "cosignature" or not cosignature_valid(body):
        return "not a validly signed cosignature"
    heads = {
        head_message(h.tree_size, h.root_hash, h.signed_at, h.key_id).decode("utf-8"): h
        for h in await all_heads(conn)
    }
    head = heads.get(str(body.get("head")))
    if head is None:
        return "it cosigns a head this archive never signed"
    await add_cosignature(
        conn,
        "received",
        str(body["witness_key_id"]),
        head.tree_size,
        str(body["witness_key_id"]),
        json.dumps(body),
        now,
    )
    return None


async def keep_witnessing(
    engine: AsyncEngine,
    data_dir: Path,
    urls: tuple[str, ...],
    interval: float,
    stopping: asyncio.Event,
    clock: Callable[[], float],
) -> None:
    """Witness each mirror of ``urls`` every ``interval`` seconds until ``stopping`` is set;
    a mirror caught rewriting its history is logged as an error (and witnessed again)."""
    while not stopping.is_set():
        for url in urls:
            try:
                done = await witness(engine, data_dir, url, int(clock()))
                log.info("witnessed %s: head of %d captures", url, done.head.tree_size)
            except WitnessError as exc:
                log.error("witness: %s", exc)
        try:
            await asyncio.wait_for(stopping.wait(), timeout=interval)
        except TimeoutError:
            continue
