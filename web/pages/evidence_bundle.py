"""``/{channel}/{id}/evidence.zip``: a post's evidence bundle (docs/evidence.md)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from archiver.errors import EvidenceError
from archiver.evidence.bundle import build_bundle
from archiver.evidence.bundle_source import bundle_parts
from archiver.evidence.timestamps import load_roots
from web.deps import ConfigDep, ConnDep, MediaDep
from web.lookup import Redirect, post_or_404, redirect_response
from web.pages.evidence import evidence_tree

router = APIRouter()


@router.get("/{key}/{msg_id:int}/evidence.zip", include_in_schema=False)
async def evidence_zip(
    request: Request, key: str, msg_id: int, conn: ConnDep, media: MediaDep, config: ConfigDep
) -> Response:
    try:
        ch, found = await post_or_404(request, conn, key, msg_id, f"/{msg_id}/evidence.zip")
    except Redirect as exc:
        return redirect_response(exc)
    tree = evidence_tree(request)
    try:
        roots = load_roots(config.evidence.tsa_roots)
    except (OSError, ValueError):
        roots = []  # the bundle then holds no roots; verify-bundle --tsa-root still checks
    try:
        parts = await bundle_parts(
            conn, media, config.storage.data_dir, ch.id, found.msg_id, tree, roots
        )
    except EvidenceError as exc:
        raise HTTPException(404, str(exc)) from None
    name = f"{ch.username or ch.id}-{found.msg_id}-evidence.zip"
    return Response(
        build_bundle(parts),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
