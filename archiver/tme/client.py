"""A polite HTTP client for t.me: a request rate per host, conditional requests, Retry-After
obeyed, a User-Agent naming tgmirror, and retries that never turn a fault into evidence.

`PoliteClient.page(path)` answers a parsed `PreviewPage`, or raises `WebUnavailable` after its
retries when t.me only answered with faults (5xx, timeouts, cut-off bodies): callers treat that
as "no news", never as a sign of erasure.
"""

from __future__ import annotations

import asyncio
import importlib.util
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from archiver import __version__

from .parse import PreviewPage, TruncatedPage, parse_page

USER_AGENT = f"tgmirror/{__version__} (+https://github.com/tgmirror; archiver of public channels)"


class WebUnavailable(Exception):
    """t.me answered only with faults for a page; nothing can be concluded from it."""


@dataclass
class HostPacer:
    """At most `rate` requests a second to one host, with pauses ordered by Retry-After."""

    rate: float
    next_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        async with self.lock:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            # From the moment this request is let go, so that a late wake-up can never
            # bring the next one closer than 1/rate.
            self.next_at = max(time.monotonic(), self.next_at) + 1.0 / self.rate

    def hold(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


class PoliteClient:
    """httpx.AsyncClient wrapper for one t.me base URL (use as `async with`)."""

    def __init__(
        self,
        base_url: str,
        *,
        rate: float = 1.0,
        retries: int = 4,
        timeout: float = 20.0,
        backoff: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.requests = 0
        self._pacers: dict[str, HostPacer] = {}
        self._rate = rate
        self._cache: dict[str, tuple[str, str]] = {}  # url -> (validator header, body)
        self._http = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=timeout,
            follow_redirects=True,
            http2=_has_h2(),
        )

    async def __aenter__(self) -> PoliteClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    def _pacer(self, url: str) -> HostPacer:
        host = urlsplit(url).netloc
        return self._pacers.setdefault(host, HostPacer(self._rate))

    async def _get(self, url: str) -> httpx.Response:
        pacer = self._pacer(url)
        await pacer.wait()
        self.requests += 1
        headers = {}
        cached = self._cache.get(url)
        if cached is not None:
            name, value = cached[0].split(":", 1)
            headers["If-None-Match" if name == "etag" else "If-Modified-Since"] = value
        response = await self._http.get(url, headers=headers)
        if response.status_code in (429, 503) or "retry-after" in response.headers:
            pacer.hold(retry_after(response.headers.get("retry-after"), self.backoff))
        return response

    async def text(self, url: str) -> str:
        """The body of `url` (the cached one on 304), retrying faults; WebUnavailable if none."""
        last = "no answer"
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff * attempt)
            try:
                response = await self._get(url)
            except httpx.HTTPError as exc:
                last = type(exc).__name__
                continue
            if response.status_code == 304 and url in self._cache:
                return self._cache[url][1]
            if response.status_code >= 400:
                last = f"HTTP {response.status_code}"
                continue
            body = response.text
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
            if etag or modified:
                self._cache[url] = (f"etag:{etag}" if etag else f"lm:{modified}", body)
            return body
        raise WebUnavailable(f"{url}: {last} after {self.retries + 1} tries")

    async def page(self, path: str, channel_id: int) -> PreviewPage:
        """The parsed page at `path` (e.g. "/s/name?before=40"); cut-off bodies are retried."""
        url = self.base_url + path
        for _ in range(self.retries + 1):
            body = await self.text(url)
            try:
                return parse_page(body, channel_id)
            except TruncatedPage:
                self._cache.pop(url, None)
                await asyncio.sleep(self.backoff)
        raise WebUnavailable(f"{url}: the body was cut off {self.retries + 1} times")

    async def file(self, url: str) -> bytes:
        """A media file's bytes from the URL a page gave."""
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff * attempt)
            try:
                response = await self._get(url)
            except httpx.HTTPError:
                continue
            if response.status_code < 400:
                return response.content
        raise WebUnavailable(f"{url}: no file after {self.retries + 1} tries")


def _has_h2() -> bool:
    """HTTP/2 where the optional h2 package is installed (httpx needs it for http2=True)."""
    return importlib.util.find_spec("h2") is not None
