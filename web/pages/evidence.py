"""``/.well-known/tgmirror/``: the archive's public key, its latest signed tree head, and
consistency and inclusion proofs over the capture log (docs/evidence.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.heads import head_json
from archiver.evidence.keys import public_pem
from archiver.evidence.merkle import ProofError
from archiver.store.evidence_log import latest_head, log_size
from web.deps import ConfigDep, ConnDep
from web.evidence_tree import EvidenceTree

router = APIRouter(prefix="/.well-known/tgmirror")


def evidence_tree(request: Request) -> EvidenceTree:
    """The app's cached capture-log tree, made on first use."""
    tree: EvidenceTree | None = getattr(request.app.state, "evidence_tree", None)
    if tree is None:
        tree = request.app.state.evidence_tree = EvidenceTree()
    return tree


def _problem(problem: str, logged: int) -> str:
    return problem if "the log holds" in problem else f"{problem}; the log holds {logged} captures"


@router.get("/key", include_in_schema=False)
async def key(config: ConfigDep) -> Response:
    public = existing_public_key(config.storage.data_dir)
    if public is None:
        raise HTTPException(404, "This archive has no signing key yet.")
    return Response(public_pem(public), media_type="text/plain; charset=utf-8")


@router.get("/head", include_in_schema=False)
async def head(conn: ConnDep) -> JSONResponse:
    latest = await latest_head(conn)
    if latest is None:
        raise HTTPException(404, "This archive has no signed tree head yet.")
    return JSONResponse(head_json(latest), headers={"Cache-Control": "no-cache"})


@router.get("/consistency", include_in_schema=False)
async def consistency(
    request: Request,
    conn: ConnDep,
    old: int = Query(alias="from"),
    new: int = Query(alias="to"),
) -> JSONResponse:
    try:
        proof = await evidence_tree(request).consistency(conn, old, new)
    except ProofError as exc:
        raise HTTPException(400, _problem(str(exc), await log_size(conn))) from None
    body: dict[str, Any] = {"from": old, "to": new, "proof": [p.hex() for p in proof]}
    return JSONResponse(body)


@router.get("/inclusion", include_in_schema=False)
async def inclusion(request: Request, conn: ConnDep, seq: int, size: int) -> JSONResponse:
    tree = evidence_tree(request)
    try:
        proof = await tree.inclusion(conn, seq, size)
        leaf = (await tree.leaf_hash(conn, seq)).hex()
    except ProofError as exc:
        raise HTTPException(400, _problem(str(exc), await log_size(conn))) from None
    body = {"seq": seq, "tree_size": size, "leaf_hash": leaf, "proof": [p.hex() for p in proof]}
    return JSONResponse(body)
