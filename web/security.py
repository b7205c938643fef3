"""Security headers on every response, and the admin token check (constant time)."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'self'; "
    "script-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(media_origins: tuple[str, ...] = ()) -> list[tuple[bytes, bytes]]:
    """The headers of every response; ``media_origins`` may serve images and video too
    (the bucket that media redirects point to: a browser checks the redirect's target)."""
    csp = CSP
    for origin in media_origins:
        csp = csp.replace("img-src 'self'", f"img-src 'self' {origin}")
        csp = csp.replace("media-src 'self'", f"media-src 'self' {origin}")
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


HEADERS = security_headers()


class SecurityHeaders:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request)."""

    def __init__(self, app: ASGIApp, media_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.headers = security_headers(media_origins) if media_origins else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def admin_cookie_value(token: str) -> str:
    """What the admin cookie holds: a keyed hash of the token, never the token itself."""
    return hmac.new(token.encode(), b"tgmirror-admin", hashlib.sha256).hexdigest()


def token_matches(given: str | None, expected: str) -> bool:
    """Compare in constant time; an unset expected token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
