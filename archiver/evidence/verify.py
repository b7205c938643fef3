"""``tgmirror verify``: recompute the capture log from the archive and check its signed heads.

Each capture's JSON is rebuilt from the database rows it describes (and, for a file, from the
file's bytes) and must equal the logged bytes; the leaf hashes must be those of the logged
bytes; every signed head must carry the archive key's signature over the root of exactly the
captures before it; the stored subtrees proofs are built from must be those of the log
(``verify_subtrees``). Two heads that both match the log are consistent with each other by
construction (the smaller tree is a prefix of the larger). Problems name the capture (its
position ``#seq``, type, channel and message) they were found at.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.evidence.canonical import canonical_json
from archiver.evidence.captures import event_capture, post_capture
from archiver.evidence.heads import head_valid
from archiver.evidence.merkle import TreeBuilder
from archiver.evidence.post_leaf_utf8 import EntitiesUtf8, JsonValues, post_leaf_utf8
from archiver.evidence.verify_subtrees import SubtreeCheck
from archiver.media import MediaStore
from archiver.media.store import sha256_of
from archiver.store.bulk_read import bulk_reader
from archiver.store.evidence_log import HeadRow, LoggedCapture, all_heads, iter_log_rows
from archiver.store.evidence_rows import (
    EventState,
    MessageStates,
    Version,
    entities_value,
    event_states,
    file_keys,
    message_states,
)


@dataclass
class VerifyReport:
    """What ``verify_archive`` found."""

    captures: int = 0
    heads: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _name(c: LoggedCapture, body: dict[str, Any] | None) -> str:
    where = f"channel {c.channel_id}" + (f" post {c.msg_id}" if c.msg_id is not None else "")
    if body is not None and c.type == "post":
        where += f", version captured at {body.get('captured_at')}"
    if body is not None and c.type == "event":
        where += f", event {body.get('event_id')} ({body.get('kind')})"
    return f"capture #{c.seq} ({c.type}, {where})"


def _differing(logged: dict[str, Any], rebuilt: bytes) -> str:
    fields = json.loads(rebuilt)
    names = sorted(k for k in set(logged) | set(fields) if logged.get(k) != fields.get(k))
    return ", ".join(names) or "encoding"


class CaptureChecker:
    """Rebuilds captures from the rows; one instance per verification run."""

    def __init__(self, states: MessageStates, events: dict[int, EventState]):
        self.states = states
        self.events = events
        self.deletions: dict[tuple[int, int], tuple[LoggedCapture, dict[str, Any]]] = {}
        self.files: dict[str, list[LoggedCapture]] = {}
        self.entities = EntitiesUtf8()
        self.json_values = JsonValues()
        self._current = states.current
        self._revised = states.revised

    def quick_ok(
        self, seq: int, channel_id: int, msg_id: int, captured_at: int, leaf: bytes
    ) -> bool:
        """Whether a post capture is rebuilt byte for byte from its rows on the first try
        (the common case; anything else goes through ``check``, which names the
        difference). ``leaf`` is the logged leaf's UTF-8 bytes, as hashed."""
        row = self._current((channel_id, msg_id))
        if row is None:
            return False
        source = self.json_values(row[9])
        if source is None:
            return False
        revisions = self._revised.get(row[0])
        for edited, text, stored, kind, at in (
            (row[4:9],) if revisions is None else (row[4:9], *revisions)
        ):
            if at != captured_at:
                continue
            ents = self.entities.seen.get(stored) if type(stored) is str or stored is None else None
            kind_json = self.json_values(kind)
            if kind_json is None:
                continue
            rebuilt = post_leaf_utf8(
                seq,
                channel_id,
                msg_id,
                row[3],
                edited,
                text,
                self.entities(stored) if ents is None else ents,
                kind_json,
                captured_at,
                source,
            )
            if rebuilt == leaf:
                return True
        return False

    def check(self, c: LoggedCapture, body: dict[str, Any]) -> str | None:
        """None when the rows give back the logged capture, else what differs."""
        if body.get("seq") != c.seq:
            return f"logged at position {c.seq} but says position {body.get('seq')} (reordered)"
        checks: dict[str, Callable[[LoggedCapture, dict[str, Any]], str | None]] = {
            "post": self._post,
            "media": self._media,
            "deletion": self._deletion,
            "event": self._event,
        }
        check = checks.get(c.type)
        if check is None or body.get("type") != c.type:
            return f"unknown capture type {c.type!r}"
        return check(c, body)

    def _post(self, c: LoggedCapture, body: dict[str, Any]) -> str | None:
        state = self.states.get((body["channel_id"], body["msg_id"]))
        if state is None:
            return "the message is no longer in the database"
        candidates = [v for v in state.versions if v.captured_at == body["captured_at"]]
        if not candidates:
            return "no stored version has this capture time (a version row was removed)"
        rebuilt = b""
        for version in candidates:
            rebuilt = _rebuild_post(version, body)
            if rebuilt == c.leaf.encode("utf-8") or _later_edit_date(version, body, rebuilt):
                return None
        return f"the stored version differs in: {_differing(body, rebuilt)}"

    def _media(self, c: LoggedCapture, body: dict[str, Any]) -> str | None:
        state = self.states.get((body["channel_id"], body["msg_id"]))
        if state is None:
            return "the message is no longer in the database"
        sha = body["sha256"]
        if not state.links(body["role"], sha):
            return f"the message no longer links the file {sha}"
        self.files.setdefault(sha, []).append(c)
        return None

    def _deletion(self, c: LoggedCapture, body: dict[str, Any]) -> str | None:
        key = (body["channel_id"], body["msg_id"])
        if key not in self.states:
            return "the message is no longer in the database"
        self.deletions[key] = (c, body)
        return None

    def last_deletions(self) -> list[str]:
        """Problems of the latest deletion capture of each message that is still deleted."""
        problems = []
        for key, (c, body) in self.deletions.items():
            state = self.states[key]
            if state.deleted_at is None:
                continue  # seen again on Telegram since: the tombstone was lifted
            if (state.deleted_at, state.deleted_how) != (body["deleted_at"], body["how"]):
                problems.append(f"{_name(c, body)}: the stored tombstone differs")
        return problems

    def _event(self, c: LoggedCapture, body: dict[str, Any]) -> str | None:
        event = self.events.get(body["event_id"])
        if event is None:
            return "the event row was removed"
        rebuilt = event_capture(
            channel_id=event.channel_id,
            event_id=body["event_id"],
            kind=event.kind,
            at=event.at,
            detail=event.detail,
        )
        leaf = canonical_json({**rebuilt.body, "seq": c.seq})
        if leaf != c.leaf.encode("utf-8"):
            return f"the stored event differs in: {_differing(body, leaf)}"
        return None


def _rebuild_post(v: Version, logged: dict[str, Any]) -> bytes:
    capture = post_capture(
        channel_id=logged["channel_id"],
        msg_id=logged["msg_id"],
        date=v.date,
        edit_date=v.edit_date,
        text=v.text,
        entities=entities_value(v.entities),
        media_kind=v.media_kind,
        captured_at=v.captured_at,
        source=logged["source"],
        export_sha256=logged.get("export_sha256"),
    )
    return canonical_json({**capture.body, "seq": logged["seq"]})


def _later_edit_date(v: Version, logged: dict[str, Any], rebuilt: bytes) -> bool:
    """The current row's edit_date moves on an edit that changes no content (the store keeps
    the row); such a row still proves the logged version if only that date is later."""
    if not v.current or (v.edit_date or 0) < (logged["edit_date"] or 0):
        return False
    return {**json.loads(rebuilt), "edit_date": logged["edit_date"]} == logged


async def verify_archive(
    engine: AsyncEngine,
    media: MediaStore,
    public_key: Ed25519PublicKey | None,
    *,
    hash_files: bool = True,
) -> VerifyReport:
    """Recompute the capture log of the archive and check every signed head."""
    report = VerifyReport()
    async with engine.connect() as conn, bulk_reader(conn) as reader:
        heads = await all_heads(reader)  # in the snapshot the log and subtrees are read in
        checker = CaptureChecker(await message_states(reader), await event_states(conn))
        keys = await file_keys(conn)
        tree = TreeBuilder()
        subtrees = SubtreeCheck(heads[-1].tree_size if heads else 0)
        pending = list(heads)
        expected = 0
        async for rows in iter_log_rows(reader, leaf_utf8=True):
            digests, expected = _check_rows(checker, rows, expected, report)
            start = 0
            while pending and pending[0].tree_size <= tree.size + len(digests) - start:
                need = pending[0].tree_size - tree.size
                tree.extend_feeding(digests[start : start + need], subtrees.feeds)
                start += need
                _check_head(pending.pop(0), tree.root(), public_key, report)
            if pending:  # under the latest head still
                tree.extend_feeding(digests[start:], subtrees.feeds)
            else:
                tree.extend(digests[start:])
        report.problems.extend(await subtrees.check(reader, tree.size))
    report.captures = tree.size
    report.problems.extend(checker.last_deletions())
    for head in pending:
        report.problems.append(
            f"signed head of {head.tree_size} captures: the log holds only {tree.size} "
            f"(captures #{tree.size}..#{head.tree_size - 1} were removed)"
        )
    report.heads = len(heads)
    if heads and heads[-1].tree_size < tree.size:
        report.notes.append(
            f"captures #{heads[-1].tree_size}..#{tree.size - 1} are not yet under a signed head"
        )
    if hash_files:
        await _check_files(checker, keys, media, report)
    return report


def _check_rows(
    checker: CaptureChecker, rows: Sequence[Any], expected: int, report: VerifyReport
) -> tuple[list[bytes], int]:
    """Check one chunk of log rows; returns their leaf hashes and the next expected position.

    The loop every capture goes through: post captures that match their rows on the first
    try cost a format string, a comparison and one SHA-256, all on the bytes as read.
    """
    sha256, quick = hashlib.sha256, checker.quick_ok
    digests: list[bytes] = []
    for seq, kind, channel_id, msg_id, leaf, stored, captured_at in rows:
        if seq != expected:
            report.problems.append(f"capture #{expected} is missing from the log")
        expected = seq + 1
        digest = sha256(b"\x00" + leaf).digest()
        if digest != stored:
            report.problems.append(f"capture #{seq}: its stored leaf hash is not that of its JSON")
        if kind != "post" or not quick(seq, channel_id, msg_id, captured_at, leaf):
            text = bytes(leaf).decode("utf-8", "replace")
            c = LoggedCapture(seq, kind, channel_id, msg_id, text, bytes(stored), captured_at)
            _check_slow(checker, c, leaf, report)
        digests.append(digest)
    return digests, expected


def _check_slow(
    checker: CaptureChecker, c: LoggedCapture, leaf: bytes, report: VerifyReport
) -> None:
    try:
        body = json.loads(leaf)
    except ValueError:
        report.problems.append(f"capture #{c.seq}: its JSON cannot be read")
        return
    if isinstance(body, dict):
        problem = checker.check(c, body)
        if problem is not None:
            report.problems.append(f"{_name(c, body)}: {problem}")


def _check_head(
    head: HeadRow, root: bytes, key: Ed25519PublicKey | None, report: VerifyReport
) -> None:
    name = f"signed head of {head.tree_size} captures (signed at {head.signed_at})"
    if key is None:
        report.problems.append(f"{name}: no archive key to check its signature")
    elif not head_valid(key, head):
        report.problems.append(f"{name}: its signature does not verify with the archive key")
    if head.root_hash != root:
        report.problems.append(
            f"{name}: its root differs from the log's first {head.tree_size} captures "
            f"(capture #{head.tree_size - 1} or an earlier one was rewritten)"
        )


async def _check_files(
    checker: CaptureChecker, keys: dict[str, str], media: MediaStore, report: VerifyReport
) -> None:
    for sha, captures in checker.files.items():
        first = captures[0]
        path = keys.get(sha)
        if path is None:
            report.problems.append(f"{_name(first, None)}: the file {sha} is not stored")
            continue
        report.files += 1
        try:
            actual = await sha256_of(media, path)
        except (OSError, KeyError) as exc:
            report.problems.append(f"{_name(first, None)}: the file {path} cannot be read: {exc}")
            continue
        if actual != sha:
            for c in captures:
                report.problems.append(
                    f"{_name(c, None)}: the bytes of {path} hash to {actual}, not {sha}"
                )
