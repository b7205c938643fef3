"""The operator's archive-health view: off (404) unless ``web.admin_token`` is set.

The token is sent as ``Authorization: Bearer …`` or through the sign-in form, which sets a
cookie holding a keyed hash of the token; both are compared in constant time.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from archiver.store.summary import channel_summaries
from web.deps import ConfigDep, ConnDep, TemplatesDep
from web.security import admin_cookie_value, token_matches

router = APIRouter()
COOKIE = "tgmirror_admin"


def _signed_in(request: Request, token: str) -> bool:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and token_matches(auth[7:].strip(), token):
        return True
    return token_matches(request.cookies.get(COOKIE), admin_cookie_value(token))


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
async def admin(
    request: Request, conn: ConnDep, config: ConfigDep, templates: TemplatesDep
) -> Response:
    token = config.web.admin_token
    if not token:
        raise HTTPException(404, "Not found.")
    if not _signed_in(request, token):
        return templates.TemplateResponse(request, "admin_login.html", {}, status_code=401)
    summaries = await channel_summaries(conn)
    return templates.TemplateResponse(request, "admin.html", {"summaries": summaries})


@router.post("/admin", include_in_schema=False)
async def admin_sign_in(config: ConfigDep, token: str = Form("")) -> Response:
    expected = config.web.admin_token
    if not expected:
        raise HTTPException(404, "Not found.")
    if not token_matches(token, expected):
        raise HTTPException(401, "Wrong token.")
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, admin_cookie_value(expected), httponly=True, samesite="strict")
    return response
