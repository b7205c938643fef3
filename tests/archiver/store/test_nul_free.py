"""nul_free: NUL becomes U+FFFD in every string of a value, and nothing else changes."""

from __future__ import annotations

from archiver.rows import FileRow, MessageRow
from archiver.store.nul_free import has_nul, nul_free


def test_every_nested_string_is_replaced_and_bytes_are_kept() -> None:
    files = (FileRow(kind="document", file_name="f\x00.pdf"),)
    row = MessageRow(
        channel_id=1,
        msg_id=2,
        date=3,
        text="a\x00b",
        entities=[{"type": "text_url", "url": "u\x00"}],
        media={"k\x00": ["x\x00"]},
        raw=b"\x00raw",
        files=files,
    )
    clean = nul_free(row)
    assert (clean.text, clean.entities, clean.media) == (
        "a\ufffdb",
        [{"type": "text_url", "url": "u\ufffd"}],
        {"k\ufffd": ["x\ufffd"]},
    )
    assert clean.files[0].file_name == "f\ufffd.pdf" and clean.raw == b"\x00raw"
    assert not has_nul(clean) and has_nul(row)


def test_a_value_without_nul_is_returned_itself() -> None:
    row = MessageRow(channel_id=1, msg_id=2, date=3, text="plain", entities=[{"type": "bold"}])
    assert nul_free(row) is row
    assert nul_free(None) is None and nul_free(5) == 5
