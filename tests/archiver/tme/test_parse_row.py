"""The parser's rows are ordinary frozen MessageRows, equal to ones built the usual way."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from archiver.rows import FileRow, MessageRow
from archiver.tme.parse_row import web_row


def test_a_web_row_is_the_message_row_built_by_its_constructor() -> None:
    fields = {
        "channel_id": 7,
        "msg_id": 42,
        "date": 1767323045,
        "text": "roll it",
        "entities": [{"type": "bold", "offset": 5, "length": 2}],
        "views": 1200,
        "files": (FileRow(kind="photo", mime="image/jpeg"),),
        "extra": {"web": {"views": "1.2K"}},
    }
    row = web_row(**fields)
    assert type(row) is MessageRow
    assert row == MessageRow(**fields, source="web")
    assert repr(row) == repr(MessageRow(**fields, source="web"))
    assert web_row(channel_id=1, msg_id=2, date=3) == MessageRow(1, 2, 3, source="web")


def test_a_web_row_stays_frozen_and_copies_like_any_row() -> None:
    row = web_row(channel_id=1, msg_id=2, date=3, text="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.text = "y"  # type: ignore[misc]
    assert dataclasses.replace(row, text="y").text == "y"
    assert pickle.loads(pickle.dumps(row)) == row
    assert hash(row) == hash(MessageRow(1, 2, 3, text="x", source="web"))
