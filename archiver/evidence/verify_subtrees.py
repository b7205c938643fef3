"""``tgmirror verify``'s check of the stored subtrees (``evidence_subtrees``) against the log.

Proofs are built from those rows, so a changed row gives bundles and witnesses proofs that do
not verify; ``verify`` recomputes every subtree from the leaves and names the first row of
each level that differs or is missing, and every row beyond the latest signed head (signing
stores a head and its subtrees together). While the log is read, the
subtrees under the latest head are folded into one running SHA-256 per level (no copy of the
tree is kept); only when a level's digest differs is it rebuilt to find the row.
"""

from __future__ import annotations

import hashlib

from archiver.evidence.merkle import Tree
from archiver.store.bulk_read import BulkReader, RowSource
from archiver.store.evidence_log import leaf_hashes
from archiver.store.evidence_subtrees import iter_subtrees


def _captures(level: int, idx: int) -> str:
    return f"captures #{idx << level}..#{((idx + 1) << level) - 1}"


class SubtreeCheck:
    """Grow the log's tree up to the latest head with ``feeds``, then ``check`` the table."""

    def __init__(self, head_size: int) -> None:
        self.head_size = head_size
        self._digests = [hashlib.sha256() for _ in range(max(head_size.bit_length() - 1, 0))]
        self.feeds = [d.update for d in self._digests]
        """``TreeBuilder.extend_feeding``'s feeds while the tree grows up to ``head_size``."""
        self._counts = [head_size >> level for level in range(1, len(self._digests) + 1)]

    async def check(self, source: RowSource, log_size: int) -> list[str]:
        """Problems of the stored rows: one line per level that differs."""
        problems: list[str] = []
        stored = [hashlib.sha256() for _ in self._digests]
        counts = [0] * len(self._digests)
        bad_levels: set[int] = set()
        async for rows in iter_subtrees(source):  # one level, ascending unique idx: a chunk
            level, first, last = int(rows[0][0]), int(rows[0][1]), int(rows[-1][1])
            if (last + 1) << level > self.head_size:
                for _, idx, _ in rows:
                    if (int(idx) + 1) << level > self.head_size:
                        problems.append(
                            f"stored subtree (level {level}, index {idx}) is not under the "
                            f"latest signed head of {self.head_size} captures (the log holds "
                            f"{log_size})"
                        )
                rows = [r for r in rows if (int(r[1]) + 1) << level <= self.head_size]
                if not rows:
                    continue
                last = int(rows[-1][1])
            if level > len(stored) or first != counts[level - 1]:
                bad_levels.add(level)  # a gap before this chunk
            elif last - first + 1 != len(rows):
                bad_levels.add(level)  # a gap inside it
            else:  # contiguous from the expected index: hash the chunk at once
                stored[level - 1].update(b"".join([bytes(r[2]) for r in rows]))
                counts[level - 1] += len(rows)
        for level in range(1, len(stored) + 1):
            if (
                level in bad_levels
                or counts[level - 1] != self._counts[level - 1]
                or stored[level - 1].digest() != self._digests[level - 1].digest()
            ):
                problems.append(await _first_difference(source, self.head_size, level))
        return problems


def _wrong(level: int, idx: int) -> str:
    return (
        f"stored subtree of {_captures(level, idx)} (level {level}, index {idx}): its hash is "
        "not that of those captures (proofs built from it do not verify)"
    )


async def _first_difference(source: RowSource, size: int, level: int) -> str:
    """The first row of ``level`` that differs from the tree of the first ``size`` leaves."""
    conn = source.conn if isinstance(source, BulkReader) else source
    expected = Tree(await leaf_hashes(conn, size)).levels[level]
    expected = expected[: size >> level]
    rows: dict[int, bytes] = {}
    async for chunk in iter_subtrees(source):
        rows.update((int(i), bytes(h)) for lv, i, h in chunk if int(lv) == level)
    for idx, digest in enumerate(expected):
        if idx not in rows:
            return f"stored subtree of {_captures(level, idx)} (level {level}) is missing"
        if rows[idx] != digest:
            return _wrong(level, idx)
    return f"stored subtrees of level {level} are out of order"
