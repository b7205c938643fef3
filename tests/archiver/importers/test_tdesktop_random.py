"""Random and malformed Desktop messages: read into a row or refused in one line, never a crash;
whatever is imported renders on the mirror without a server error."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.db.engine import open_engine
from archiver.errors import ImportFormatError
from archiver.importers.tdesktop import import_export
from archiver.importers.tdesktop_read import KNOWN_KEYS, read_message
from archiver.media import LocalMediaStore as MediaStore
from tests.web.conftest import make_client

NAMES = [
    "text",
    "type",
    "href",
    "id",
    "answers",
    "question",
    "latitude",
    "longitude",
    "voters",
    "document_id",
    "user_id",
    "emoji",
    "count",
    "files",
    "media",
    "media_kind",
    "action",
    "revisions",
    "entities",
    "role",
    "reactions",
    "reply_to",
    "fwd_from",
    "views",
    "grouped_id",
    "deleted_at",
    "deleted_how",
    "first_name",
    "phone_number",
    "closed",
    "total_voters",
    "offset",
    "length",
    "url",
    "kind",
    "mime",
    "size",
    "msg_id",
    "title",
]
SAMPLES = [
    "1",
    "-5",
    "²",
    "1704103200",
    "(File not included)",
    "user12",
    "channel3",
    "photo",
    "2024-01-01T10:00:00",
    "voice_message",
    "bold",
    "text_link",
    "poll",
    "../../etc/passwd",
    "javascript:alert(1)",
    "<script>x</script>",
    "\u202e",
    "\x00",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(SAMPLES),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=16,
)
messages = st.builds(
    lambda extra, msg_id: {"id": msg_id, "date_unixtime": "1704103200", **extra},
    st.dictionaries(st.sampled_from(sorted(KNOWN_KEYS - {"id"})), values, max_size=8),
    st.integers(1, 10**6),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(msg=messages | st.dictionaries(st.sampled_from(sorted(KNOWN_KEYS)), values, max_size=6))
def test_any_message_is_read_or_refused_naming_it(msg) -> None:
    try:
        imported = read_message(msg, 1, "result.json")
    except ImportFormatError as exc:
        assert str(exc).startswith("result.json: ")
        assert "\n" not in str(exc)
    else:
        assert imported.row.msg_id == msg["id"] or str(imported.row.msg_id) == str(msg["id"])


def test_whatever_is_imported_renders_without_a_server_error(config, tmp_path) -> None:
    web = dataclasses.replace(config.web, publish="all")
    ids = count(1000)
    outcomes = {"imported": 0, "refused": 0}

    async def import_and_browse(folder, chat) -> None:
        engine = open_engine(config.database_url)
        try:
            await import_export(engine, folder, MediaStore(config.media_dir), int(time.time()))
        except ImportFormatError:
            outcomes["refused"] += 1
            return
        finally:
            await engine.dispose()
        outcomes["imported"] += 1
        async with make_client(dataclasses.replace(config, web=web)) as client:
            posts = (await client.get(f"/api/channels/{chat}/posts")).json()["posts"]
            pages = [f"/{chat}", f"/{chat}/feed.rss", f"/{chat}/feed.atom", "/search?q=a"]
            pages += [f"/{chat}/{p['msg_id']}" for p in posts]
            pages += [f"/api/channels/{chat}/posts/{p['msg_id']}" for p in posts]
            for url in pages:
                assert (await client.get(url)).status_code == 200, url

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(batch=st.lists(messages, min_size=1, max_size=4))
    def run(batch) -> None:
        chat = next(ids)
        folder = tmp_path / f"e{chat}"
        folder.mkdir()
        data = {"name": f"c{chat}", "type": "public_channel", "id": chat, "messages": batch}
        (folder / "result.json").write_text(json.dumps(data), encoding="utf-8")
        asyncio.run(import_and_browse(folder, chat))

    run()
    assert outcomes["imported"] > 5 and outcomes["refused"] > 5, outcomes
