"""``verify``'s leaf of a post capture built from the stored UTF-8 bytes is exactly the
RFC 8785 bytes of the capture (control characters, quotes, backslashes, non-ASCII, numbers at
the edges of JSON's exact range), gives up (None) where it could differ, and an archive whose
text was changed to a look-alike of its escaped form does not verify."""

from __future__ import annotations

import json

import rfc8785
import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st

from archiver.db.schema import messages
from archiver.evidence.canonical import canonical_json
from archiver.evidence.captures import post_capture
from archiver.evidence.post_leaf import EntitiesText
from archiver.evidence.post_leaf_utf8 import EntitiesUtf8, JsonValues, json_text, post_leaf_utf8
from archiver.evidence.verify import verify_archive
from archiver.media import LocalMediaStore
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages

ids = st.integers(-(2**53) + 1, 2**53 - 1)
entity = st.fixed_dictionaries(
    {"type": st.sampled_from(["bold", "url", "custom_emoji"]), "offset": ids, "length": ids},
    optional={"url": st.text(), "document_id": st.integers(0, 2**64)},
)
TRICKY = [
    "",
    "plain",
    "line one\nline two\r\n\ttabbed",
    'a "quoted" word and a back\\slash',
    "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f",
    "свобода 自由 ‏עברית‏ 😀 \u2028\u2029 \ufeff",
    "a\\nb",  # a backslash and an n, not a newline
    '\\"',
    "\ud800 lone",  # a lone surrogate: no capture holds one
]


def _expected(body: dict) -> bytes | None:
    body = {**body}
    body["entities"] = [
        {k: str(v) if isinstance(v, int) and v > 2**53 - 1 else v for k, v in e.items()}
        for e in body["entities"]
    ]
    try:
        return rfc8785.dumps(body)
    except rfc8785.CanonicalizationError:
        return None  # lone surrogates


@given(
    seq=st.integers(0, 2**40),
    channel_id=ids,
    msg_id=ids,
    date=ids,
    edit_date=st.none() | ids,
    text=st.none() | st.text() | st.sampled_from(TRICKY),
    entities=st.none() | st.lists(entity, max_size=3),
    media_kind=st.none() | st.text(max_size=8),
    captured_at=ids,
    source=st.sampled_from(["telegram", "import"]),
)
@example(1, 2**53 - 1, -(2**53) + 1, 0, None, TRICKY[4], None, "photo", 7, "telegram")
@example(
    0,
    1,
    2,
    3,
    2**53 - 1,
    TRICKY[5],
    [{"type": "bold", "offset": 0, "length": 1}],
    None,
    4,
    "import",
)
def test_post_leaf_utf8_is_the_rfc8785_bytes(
    seq, channel_id, msg_id, date, edit_date, text, entities, media_kind, captured_at, source
) -> None:
    capture = post_capture(
        channel_id=channel_id,
        msg_id=msg_id,
        date=date,
        edit_date=edit_date,
        text=text,
        entities=entities,
        media_kind=media_kind,
        captured_at=captured_at,
        source=source,
    )
    expected = _expected({**capture.body, "seq": seq})
    if expected is None:
        return
    values = JsonValues()
    leaf = post_leaf_utf8(
        seq,
        channel_id,
        msg_id,
        date,
        edit_date,
        None if text is None else text.encode("utf-8"),
        EntitiesText()(json.dumps(entities) if entities is not None else None).encode("utf-8"),
        values(media_kind),
        captured_at,
        values(source),
    )
    assert leaf == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text() | st.floats(-1e6, 1e6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@given(
    st.none()
    | st.lists(entity, max_size=3)
    | st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=4), max_size=3)
    | json_values
)
@example([{"type": "bold", "offset": 0, "length": 2**53}])
@example([{"type": "bold", "\u00e9": 1}])
@example([{"type": "text_link", "url": "https://t.me/\u0431"}])
@example([{"type": "bold", "language": "\ud800"}])
def test_stored_entities_become_the_canonical_json_bytes(value) -> None:
    stored = json.dumps(value)
    try:
        expected = canonical_json(value or [])
    except rfc8785.CanonicalizationError:
        return  # lone surrogates, non-finite floats: no capture holds them
    canon = EntitiesUtf8()
    assert canon(stored) == expected
    assert canon(stored) == expected  # remembered


def test_json_text_escapes_what_rfc8785_escapes() -> None:
    for text in TRICKY[:-1]:
        assert json_text(text.encode("utf-8")) == rfc8785.dumps(text)[1:-1], text
    assert json_text(b"a\\nb") != json_text(b"a\nb")
    assert json_text(b"\xff\x00") is None  # not UTF-8, and needs json's encoder


def test_post_leaf_utf8_gives_up_outside_its_domain() -> None:
    fields = [0, 1, 2, 3, None, b"x", b"[]", b"null", 4, b'"telegram"']
    assert post_leaf_utf8(*fields) is not None
    for index, value in [(2, 2**53), (3, "3"), (4, True), (3, 3.0), (0, False), (5, "x")]:
        changed = list(fields)
        changed[index] = value
        assert post_leaf_utf8(*changed) is None, (index, value)
    assert JsonValues()("\ud800") is None
    assert JsonValues()(5) is None


async def test_a_text_changed_to_its_escaped_look_alike_is_named(engine, config) -> None:
    text = 'line one\nline "two"\\'
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=1, access_hash=None, title="c"), 0)
        await save_messages(conn, [MessageRow(channel_id=1, msg_id=7, date=5, text=text)], 9)
    media = LocalMediaStore(config.media_dir)
    assert (await verify_archive(engine, media, None, hash_files=False)).ok
    look_alike = json.dumps(text)[1:-1]  # the characters of the escaped form, as plain text
    async with engine.begin() as conn:
        await conn.execute(sa.update(messages).values(text=look_alike))
    report = await verify_archive(engine, media, None, hash_files=False)
    assert len(report.problems) == 1
    assert "(post, channel 1 post 7, version captured at 9)" in report.problems[0]
    assert report.problems[0].endswith("the stored version differs in: text")
