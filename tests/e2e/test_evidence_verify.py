"""``tgmirror verify`` on a real archive: clean after a sync, and each kind of tampering is
reported with the capture it breaks and exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import archive_sql
import pytest
import rfc8785

from archiver.db.engine import open_engine
from archiver.evidence import merkle
from archiver.evidence.heads import sign_head
from archiver.evidence.keys import load_or_create_key
from archiver.evidence.verify import CaptureChecker
from archiver.store.bulk_read import bulk_reader
from archiver.store.evidence_log import iter_log_rows
from archiver.store.evidence_rows import message_states


@pytest.fixture
def synced(cli, archive_copy, tmp_path) -> dict:
    """The archive copy after a `tgmirror sync`, which signs a tree head as it ends."""
    world = archive_copy["root"] / "world.sqlite"
    conf = tmp_path / "tgmirror.toml"
    conf.write_text(f'[simulator]\nworld = "{world}"\n[storage]\n{archive_copy["storage_toml"]}')
    result = cli("sync")
    assert result.returncode == 0, result.stdout + result.stderr
    return {**archive_copy, "url": archive_copy["config"].database_url}


def _verify(cli) -> tuple[int, str]:
    result = cli("verify")
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def test_clean_archive_verifies(cli, synced) -> None:
    url = synced["url"]
    code, out = _verify(cli)
    assert code == 0, out
    assert " 0 problems" in out
    kinds = set(archive_sql.column(url, "SELECT DISTINCT type FROM evidence_log"))
    assert kinds == {"post", "media", "deletion", "event"}
    size = archive_sql.value(url, "SELECT count(*) FROM evidence_log")
    assert archive_sql.value(url, "SELECT max(tree_size) FROM evidence_heads") == size
    assert f"Verified {size} captures, 1 signed heads" in out
    key = Path(synced["config"].storage.data_dir) / "evidence-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600


def test_changed_text_names_the_capture(cli, synced) -> None:
    url, en, post = synced["url"], synced["en"], synced["ids"]["hidden"]
    archive_sql.rows(
        url,
        "UPDATE messages SET text = 'forged' WHERE channel_id = :en AND msg_id = :post",
        en=en,
        post=post,
    )
    code, out = _verify(cli)
    assert code == 1
    assert f"(post, channel {en} post {post}, version captured at" in out
    assert "the stored version differs in: text" in out


def test_flipped_media_byte_names_the_capture(cli, synced) -> None:
    url = synced["url"]
    sha, path = archive_sql.one(url, "SELECT sha256, path FROM media_files ORDER BY path")
    file = Path(synced["config"].storage.data_dir) / "media" / path
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 1
    file.write_bytes(bytes(data))
    seq, channel, msg = archive_sql.one(
        url,
        "SELECT seq, channel_id, msg_id FROM evidence_log WHERE type = 'media' "
        "AND leaf LIKE :sha ORDER BY seq",
        sha=f"%{sha}%",
    )
    code, out = _verify(cli)
    assert code == 1
    assert f"capture #{seq} (media, channel {channel} post {msg}): the bytes of {path}" in out


def test_removed_revision_names_the_capture(cli, synced) -> None:
    url, en, post = synced["url"], synced["en"], synced["ids"]["edited"]
    first = archive_sql.value(
        url,
        "SELECT min(r.id) FROM message_revisions r JOIN messages m ON m.id = r.message_id "
        "WHERE m.channel_id = :en AND m.msg_id = :post",
        en=en,
        post=post,
    )
    archive_sql.rows(url, "DELETE FROM message_revisions WHERE id = :id", id=first)
    code, out = _verify(cli)
    assert code == 1
    assert f"(post, channel {en} post {post}, version captured at" in out
    # Versions captured in the same second share a capture time: then the capture is named
    # by the version that is left, whose content differs from the logged one.
    assert (
        "no stored version has this capture time" in out or "the stored version differs in:" in out
    ), out


def test_swapped_captures_are_named(cli, synced) -> None:
    url = synced["url"]
    a = archive_sql.one(url, "SELECT leaf, leaf_hash FROM evidence_log WHERE seq = 3")
    b = archive_sql.one(url, "SELECT leaf, leaf_hash FROM evidence_log WHERE seq = 4")
    for seq, (leaf, digest) in ((3, b), (4, a)):
        archive_sql.rows(
            url,
            "UPDATE evidence_log SET leaf = :leaf, leaf_hash = :h WHERE seq = :seq",
            leaf=leaf,
            h=digest,
            seq=seq,
        )
    code, out = _verify(cli)
    assert code == 1
    assert "capture #3 (" in out and "capture #4 (" in out
    assert "logged at position 3 but says position 4 (reordered)" in out


def test_head_for_another_tree_is_caught(cli, synced) -> None:
    url = synced["url"]
    size = archive_sql.value(url, "SELECT max(tree_size) FROM evidence_heads")
    hashes = [
        bytes(h) for h in archive_sql.column(url, "SELECT leaf_hash FROM evidence_log ORDER BY seq")
    ]
    other = merkle.root([*hashes[:-1], hashes[0]])
    key = load_or_create_key(Path(synced["config"].storage.data_dir))
    forged = sign_head(key, size, other, 1_800_000_000)  # validly signed, wrong tree
    archive_sql.rows(
        url,
        "UPDATE evidence_heads SET root_hash = :r, signature = :s, "
        "signed_at = :t WHERE tree_size = :n",
        r=forged.root_hash,
        s=forged.signature,
        t=forged.signed_at,
        n=size,
    )
    code, out = _verify(cli)
    assert code == 1
    assert f"signed head of {size} captures (signed at 1800000000): its root differs" in out
    assert f"capture #{size - 1} or an earlier one was rewritten" in out


def test_changed_or_removed_stored_subtree_is_named(cli, synced) -> None:
    """Proofs are built from the stored subtrees: a changed or removed one is caught and
    located."""
    url = synced["url"]
    assert archive_sql.value(url, "SELECT count(*) FROM evidence_subtrees WHERE level = 2") > 2
    archive_sql.rows(
        url, "UPDATE evidence_subtrees SET hash = :h WHERE level = 2 AND idx = 1", h=bytes(32)
    )
    code, out = _verify(cli)
    assert code == 1
    assert (
        "stored subtree of captures #4..#7 (level 2, index 1): its hash is not that of those "
        "captures" in out
    )
    archive_sql.rows(url, "DELETE FROM evidence_subtrees WHERE level = 1 AND idx = 3")
    code, out = _verify(cli)
    assert code == 1
    assert "stored subtree of captures #6..#7 (level 1) is missing" in out


async def test_every_post_capture_of_a_real_archive_takes_the_byte_path(archive_copy) -> None:
    """The simulated channels' texts (newlines, quotes, RTL, emoji, entities) are rebuilt
    from the stored bytes on the first try, and each leaf is the RFC 8785 text of itself."""
    engine = open_engine(archive_copy["config"].database_url)
    try:
        async with engine.connect() as conn, bulk_reader(conn) as reader:
            checker = CaptureChecker(await message_states(reader), {})
            posts = 0
            async for rows in iter_log_rows(reader, leaf_utf8=True):
                for seq, kind, channel_id, msg_id, leaf, _, captured_at in rows:
                    assert leaf == rfc8785.dumps(json.loads(leaf)), seq
                    if kind != "post" or b'"export_sha256"' in leaf:
                        continue
                    assert checker.quick_ok(seq, channel_id, msg_id, captured_at, leaf), leaf
                    posts += 1
    finally:
        await engine.dispose()
    assert posts > 20
