"""An XSS corpus (tests/data/xss_corpus.txt) imported into every text field a channel and its
posts have, then rendered by every path: channel, post and search pages, RSS and Atom, the
JSON API and the static HTML export. No payload may survive as live markup."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from archiver.db.engine import open_engine
from archiver.exporters.html import export_html
from archiver.importers.tdesktop import import_export
from archiver.media import LocalMediaStore as MediaStore
from archiver.store.channels import get_channel
from tests.web.conftest import make_client

CORPUS = (Path(__file__).parent.parent / "data" / "xss_corpus.txt").read_text().splitlines()
CORPUS += ["\x0b\x1b[31m\x7f\ufffe control characters", "\u202ereversed\u202c \u2066isolate"]
CHAT = 31337
USERNAME = 'x"><img src=x onerror=window.pwned=99>'  # no "/", so it still names a URL path
# Site-relative URLs (pages, static export files) and the schemes render.safe_url allows
SAFE_URL_STARTS = (
    "/",
    "#",
    "?",
    "static/",
    "media/",
    "post-",
    "page-",
    "index.html",
    "http://",
    "https://",
    "mailto:",
    "tg:",
)
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "srcdoc"}


class LiveMarkup(HTMLParser):
    """Collects what a browser would run or follow: scripts, handlers, dangerous URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        site_form = tag == "form" and (values.get("action") or "").startswith("/")
        if tag in ("iframe", "object", "embed", "svg", "math", "base", "style", "form") and (
            not site_form
        ):
            self.found.append(f"<{tag}>")
        if tag == "script" and not (values.get("src") or "").endswith("static/mirror.js"):
            self.found.append(f"<script {values}>")
        if tag == "meta" and values.get("http-equiv"):
            self.found.append(f"<meta http-equiv={values['http-equiv']}>")
        for name, value in attrs:
            clean = "".join(ch for ch in (value or "") if ch > " ").lower()
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in URL_ATTRS and not clean.startswith(SAFE_URL_STARTS):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def _message(i: int, payload: str) -> dict:
    base = {
        "id": i,
        "type": "message",
        "date_unixtime": str(1704103200 + i),
        "author": payload,
        "forwarded_from": payload,
    }
    n = len(payload.encode("utf-16-le")) // 2
    shapes = [
        {"text": [{"type": "text_link", "text": payload, "href": payload}]},
        {"text": [{"type": "text_link", "text": payload, "href": "javascript:window.pwned=1"}]},
        {
            "text": [
                {"type": "pre", "text": payload, "language": payload},
                " ",
                {"type": "mention", "text": "@" + payload},
                {"type": "link", "text": payload},
                {"type": "email", "text": payload},
            ]
        },
        {
            "text": payload,
            "tgmirror": {
                "entities": [{"type": "bold", "offset": k, "length": 3} for k in range(0, n, 2)]
            },
        },
        {
            "text": payload,
            "file": "(File not included.)",
            "file_name": payload,
            "media_type": "audio_file",
            "mime_type": "audio/mpeg",
            "title": payload,
            "performer": payload,
        },
        {
            "text": payload,
            "poll": {
                "question": payload,
                "total_voters": payload,
                "answers": [{"text": payload, "voters": payload}],
            },
        },
        {
            "text": payload,
            "location_information": {"latitude": payload, "longitude": 1},
            "place_name": payload,
            "address": payload,
        },
        {"text": payload, "contact_information": {"first_name": payload, "last_name": payload}},
        {
            "text": payload,
            "tgmirror": {
                "media_kind": "webpage",
                "media": {
                    "type": "webpage",
                    "url": payload,
                    "title": payload,
                    "description": payload,
                    "site_name": payload,
                },
            },
        },
        {"type": "service", "action": payload, "title": payload, "text": payload, "actor": payload},
    ]
    return base | shapes[i % len(shapes)]


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory, migrated_template, db_backend, request) -> dict:
    import asyncio
    import shutil

    from archiver.config import config_from_dict

    root = tmp_path_factory.mktemp("xss")
    storage = {"data_dir": "data"}
    if db_backend == "postgresql":
        name = request.getfixturevalue("pg_session_database")()
        storage["database"] = request.getfixturevalue("pg_server").url(name)
    config = config_from_dict({"storage": storage}, root)
    config.storage.data_dir.mkdir(parents=True)
    if not config.storage.database:
        shutil.copyfile(migrated_template, config.storage.data_dir / "tgmirror.db")
    messages = [_message(i + 1, p) for i, p in enumerate(CORPUS * 10)]
    data = {
        "name": CORPUS[0] + " " + CORPUS[5],
        "type": "public_channel",
        "id": CHAT,
        "tgmirror": {"username": USERNAME, "about": "\n".join(CORPUS)},
        "messages": messages,
    }
    (root / "exp").mkdir()
    (root / "exp" / "result.json").write_text(json.dumps(data))

    async def build() -> None:
        engine = open_engine(config.database_url)
        await import_export(engine, root / "exp", MediaStore(config.media_dir), int(time.time()))
        async with engine.connect() as conn:
            channel = await get_channel(conn, CHAT)
            await export_html(conn, channel, root / "site", MediaStore(config.media_dir))
        await engine.dispose()

    asyncio.run(build())
    web = dataclasses.replace(config.web, publish="all")
    return {"config": dataclasses.replace(config, web=web), "root": root, "count": len(messages)}


@pytest.fixture
async def hostile_client(hostile_archive):
    async with make_client(hostile_archive["config"]) as client:
        yield client


async def _get(client, url: str):
    page = await client.get(url)
    assert page.status_code == 200, url
    return page


async def test_pages_and_search_keep_every_payload_inert(hostile_client, hostile_archive) -> None:
    client = hostile_client
    key = "x%22%3E%3Cimg%20src=x%20onerror=window.pwned=99%3E"
    urls = ["/", f"/{key}", f"/{CHAT}/1"]
    before = hostile_archive["count"] + 1
    while before > 1:  # every page of the channel
        urls.append(f"/{key}?before={before}")
        before -= 20
    urls += [f"/{key}/{i}" for i in range(1, len(CORPUS) * 2 + 1)]
    for query in ("pwned", "script", "onerror", "javascript", "reversed", '"window"'):
        urls += [f"/search?q={query}", f"/{key}/search?q={query}"]
    checked = results = 0
    while urls:
        url = urls.pop()
        page = await client.get(url, follow_redirects=True)
        assert page.status_code == 200, url
        assert live_markup(page.text) == [], (url, live_markup(page.text))
        checked += 1
        if url.startswith("/search?q=pwned"):
            results += page.text.count('class="result"')
        older = re.search(r'rel="next" href="(/[^"]*/?search\?[^"]*)"', page.text)
        if older:  # every page of search results
            urls.append(html.unescape(older.group(1)))
    assert results > 50
    print(f"XSS corpus: {len(CORPUS)} payloads, {hostile_archive['count']} posts, {checked} pages")


async def test_feeds_are_well_formed_and_their_html_inert(hostile_client) -> None:
    key = "x%22%3E%3Cimg%20src=x%20onerror=window.pwned=99%3E"
    rss = ET.fromstring((await _get(hostile_client, f"/{key}/feed.rss")).content)
    atom = ET.fromstring((await _get(hostile_client, f"/{key}/feed.atom")).content)
    html = [i.findtext("description") or "" for i in rss.iter("item")]
    html += [c.text or "" for c in atom.iter("{http://www.w3.org/2005/Atom}content")]
    assert len(html) > 50
    for fragment in html:
        assert live_markup(fragment) == [], fragment
    links = [e.text for e in rss.iter("link")] + [
        e.get("href") for e in atom.iter("{http://www.w3.org/2005/Atom}link")
    ]
    assert all(link.startswith("http://mirror.test/") for link in links), links


async def test_api_returns_the_payloads_as_data(hostile_client) -> None:
    posts = (await _get(hostile_client, f"/api/channels/{CHAT}/posts?limit=100")).json()["posts"]
    texts = {p["text"] for p in posts}
    assert {p for p in CORPUS if "\x0b" not in p} & texts  # kept verbatim, as data
    page = await hostile_client.get(f"/api/channels/{CHAT}/posts")
    assert page.headers["content-type"] == "application/json"


def test_static_export_keeps_every_payload_inert(hostile_archive) -> None:
    site = hostile_archive["root"] / "site"
    pages = sorted(site.glob("*.html"))
    assert len(pages) > hostile_archive["count"]  # one per post, plus the channel pages
    for page in pages:
        assert live_markup(page.read_text()) == [], page.name
