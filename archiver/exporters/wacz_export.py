"""``tgmirror export REF --format wacz``: a web archive (WACZ) of a channel's mirror pages.

The pages and files are fetched from the mirror application itself (in process, through
ASGI: nothing listens on a port; the CLI passes the app in) and written as WARC ``response``
records under the mirror's own URLs (``base_url`` + path), never as responses of t.me. Each
record is dated (``WARC-Date``) with the capture time of what it shows: a post page with the
time of the post's latest capture (its edit history shows the earlier ones), a file with the
time it was stored, the channel page with the channel's latest capture. Every capture of the
capture log (a version, a file, a deletion) gets one ``metadata`` record dated with its own
capture time that refers to the page record and names the Telegram post link, the log
position and the logged JSON, so a reader can tie a replayed page back to the signed log.
The WARC is then packed by the ``wacz`` package, which writes the CDXJ index,
``pages.jsonl`` and the datapackage digests that ``wacz validate`` and pywb read.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.errors import ExportError
from archiver.site.urls import channel_url, post_url
from archiver.store.channels import Channel
from archiver.store.evidence_log import LoggedCapture, iter_log

KEPT_HEADERS = ("content-type", "content-length", "last-modified", "etag")
MEDIA_LINK = re.compile(r'(?:src|href)="(/media/[^"?#]+)"')


@dataclass
class PostCaptures:
    """The logged captures of one post, in log order."""

    msg_id: int
    captures: list[tuple[LoggedCapture, dict[str, Any]]] = field(default_factory=list)

    @property
    def latest(self) -> int:
        return max(_captured_at(body) for _, body in self.captures)


@dataclass
class WaczResult:
    """What ``export_wacz`` wrote (the shape ``tgmirror export`` prints)."""

    posts: int
    files: int
    path: Path


def _captured_at(body: dict[str, Any]) -> int:
    return int(body.get("captured_at") or body.get("deleted_at") or body.get("at") or 0)


def warc_date(seconds: int) -> str:
    """``2026-01-02T03:04:05Z``, the form WARC-Date takes."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def channel_captures(engine: AsyncEngine, channel_id: int) -> dict[int, PostCaptures]:
    """The post, media and deletion captures of a channel, by message id."""
    posts: dict[int, PostCaptures] = {}
    async with engine.connect() as conn:
        async for chunk in iter_log(conn):
            for c in chunk:
                if c.channel_id != channel_id or c.msg_id is None:
                    continue
                entry = posts.setdefault(c.msg_id, PostCaptures(c.msg_id))
                entry.captures.append((c, json.loads(c.leaf)))
    return posts


class WarcRecorder:
    """Writes response and metadata records into one gzipped WARC."""

    def __init__(self, stream: Any, base_url: str) -> None:
        self.writer = WARCWriter(stream, gzip=True)
        self.base_url = base_url.rstrip("/")

    def response(self, path: str, response: httpx.Response, at: int, title: str = "") -> str:
        """A response record for ``path`` as the mirror answered it; returns its record id."""
        headers = [(k, v) for k, v in response.headers.items() if k.lower() in KEPT_HEADERS]
        status = StatusAndHeaders(
            f"{response.status_code} {response.reason_phrase}", headers, protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            self.base_url + path,
            "response",
            payload=_stream(response.content),
            length=len(response.content),
            http_headers=status,
            warc_headers_dict={"WARC-Date": warc_date(at)},
        )
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def metadata(self, seq: int, path: str, refers_to: str, at: int, body: dict[str, Any]) -> None:
        """A metadata record (JSON) for capture ``seq`` of the page at ``path``. Its target is
        ``urn:tgmirror:capture:SEQ`` so replay tools never serve it in place of the page; the
        page is named by ``WARC-Refers-To`` and ``WARC-Refers-To-Target-URI`` (WARC 1.1)."""
        data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self.writer.create_warc_record(
            f"urn:tgmirror:capture:{seq}",
            "metadata",
            payload=_stream(data),
            length=len(data),
            warc_content_type="application/json",
            warc_headers_dict={
                "WARC-Date": warc_date(at),
                "WARC-Refers-To": refers_to,
                "WARC-Refers-To-Target-URI": self.base_url + path,
            },
        )
        self.writer.write_record(record)


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def telegram_link(channel: Channel, msg_id: int) -> str:
    """The post's address on Telegram (``t.me/c/ID/N`` for a channel without a username)."""
    if channel.username:
        return f"https://t.me/{channel.username}/{msg_id}"
    return f"https://t.me/c/{channel.id}/{msg_id}"


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path)
    if response.status_code != 200:
        raise ExportError(
            f"{path}: the mirror answered {response.status_code}; "
            "is the channel published (web.publish)?"
        )
    return response


async def write_warc(
    app: Any, engine: AsyncEngine, channel: Channel, warc: Path, base_url: str
) -> tuple[list[dict[str, Any]], int]:
    """Write the channel's pages, files and capture metadata; returns pages.jsonl entries
    and the number of files."""
    posts = await channel_captures(engine, channel.id)
    if not posts:
        raise ExportError(f"{channel.title}: no captures in the log; nothing to export")
    pages: list[dict[str, Any]] = []
    files_at: dict[str, int] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mirror.invalid"
        ) as client,
    ):
        with warc.open("wb") as stream:
            recorder = WarcRecorder(stream, base_url)
            latest = max(p.latest for p in posts.values())
            home = channel_url(channel)
            recorder.response(home, await _get(client, home), latest)
            pages.append(
                {"url": recorder.base_url + home, "ts": warc_date(latest), "title": channel.title}
            )
            for msg_id in sorted(posts):
                entry = posts[msg_id]
                path = post_url(channel, msg_id)
                page = await _get(client, path)
                record_id = recorder.response(path, page, entry.latest)
                pages.append(
                    {
                        "url": recorder.base_url + path,
                        "ts": warc_date(entry.latest),
                        "title": f"{channel.title} #{msg_id}",
                    }
                )
                for c, body in entry.captures:
                    recorder.metadata(
                        c.seq,
                        path,
                        record_id,
                        _captured_at(body),
                        {
                            "telegram_url": telegram_link(channel, msg_id),
                            "log_seq": c.seq,
                            "leaf_hash": c.leaf_hash.hex(),
                            "capture": body,
                        },
                    )
                    if c.type == "media":
                        files_at.setdefault(str(body["sha256"]), _captured_at(body))
                for link in sorted(set(MEDIA_LINK.findall(page.text))):
                    sha = link.rsplit("/", 1)[1].split(".", 1)[0]
                    if sha in files_at and files_at[sha] >= 0:
                        recorder.response(link, await _get(client, link), files_at[sha])
                        files_at[sha] = -1  # written once
    return pages, sum(1 for at in files_at.values() if at == -1)


def _timestamp14(iso: str) -> str:
    """``20260102030405``: a WARC-Date as CDX indexes write it."""
    return iso.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")


async def export_wacz(
    app: Any, engine: AsyncEngine, channel: Channel, out: Path, base_url: str
) -> WaczResult:
    """Write ``out`` (a .wacz file) for ``channel``; ``app`` is the mirror's ASGI app (made by
    the CLI: only the CLI imports ``web``)."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory(prefix="tgmirror-wacz-") as tmp:
        warc = Path(tmp) / "data.warc.gz"
        pages, files = await write_warc(app, engine, channel, warc, base_url)
        listing = Path(tmp) / "pages.jsonl"
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}, *pages]
        listing.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
        code = wacz_main(
            [
                "create",
                "-o",
                str(out),
                "-p",
                str(listing),
                "--title",
                channel.title,
                "--url",
                pages[0]["url"],
                "--ts",
                _timestamp14(pages[0]["ts"]),
                str(warc),
            ]
        )
        if code != 0:
            raise ExportError(f"{out}: the wacz packer failed (exit {code})")
    return WaczResult(posts=len(pages) - 1, files=files, path=out)
