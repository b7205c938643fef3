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
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.evidence.merkle import Node, Tree
from archiver.store.evidence_log import leaf_hashes
from archiver.store.evidence_subtrees import iter_subtrees


def _captures(level: int, idx: int) -> str:
    return f"captures #{idx << level}..#{((idx + 1) << level) - 1}"


class SubtreeCheck:
    """Feed it the subtrees the log's leaves complete (``add``), then ``check`` the table."""

    def __init__(self, head_size: int) -> None:
        self.head_size = head_size
        self._digests: list[Any] = []
        self._counts: list[int] = []

    def add(self, nodes: Sequence[Node]) -> None:
        """Subtrees as ``TreeBuilder.extend_nodes`` returns them (each level in index order)."""
        digests, counts, head = self._digests, self._counts, self.head_size
        for level, idx, digest in nodes:
            if (idx + 1) << level > head:
                continue  # signing stores these with the next head
            while len(digests) < level:
                digests.append(hashlib.sha256())
                counts.append(0)
            digests[level - 1].update(digest)
            counts[level - 1] += 1

    async def check(self, conn: AsyncConnection, log_size: int) -> list[str]:
        """Problems of the stored rows: one line per level that differs."""
        problems: list[str] = []
        stored = [hashlib.sha256() for _ in self._digests]
        counts = [0] * len(self._digests)
        bad_levels: set[int] = set()
        async for rows in iter_subtrees(conn):
            for level, idx, digest in rows:
                level, idx, digest = int(level), int(idx), bytes(digest)
                if level < 1 or (idx + 1) << level > self.head_size:
                    problems.append(
                        f"stored subtree (level {level}, index {idx}) is not under the latest "
                        f"signed head of {self.head_size} captures (the log holds {log_size})"
                    )
                elif level > len(stored) or idx != counts[level - 1]:
                    bad_levels.add(level)
                else:
                    stored[level - 1].update(digest)
                    counts[level - 1] += 1
        for level in range(1, len(stored) + 1):
            if (
                level in bad_levels
                or counts[level - 1] != self._counts[level - 1]
                or stored[level - 1].digest() != self._digests[level - 1].digest()
            ):
                problems.append(await _first_difference(conn, self.head_size, level))
        return problems


def _wrong(level: int, idx: int) -> str:
    return (
        f"stored subtree of {_captures(level, idx)} (level {level}, index {idx}): its hash is "
        "not that of those captures (proofs built from it do not verify)"
    )


async def _first_difference(conn: AsyncConnection, size: int, level: int) -> str:
    """The first row of ``level`` that differs from the tree of the first ``size`` leaves."""
    expected = Tree(await leaf_hashes(conn, size)).levels[level]
    expected = expected[: size >> level]
    rows: dict[int, bytes] = {}
    async for chunk in iter_subtrees(conn):
        rows.update((int(i), bytes(h)) for lv, i, h in chunk if int(lv) == level)
    for idx, digest in enumerate(expected):
        if idx not in rows:
            return f"stored subtree of {_captures(level, idx)} (level {level}) is missing"
        if rows[idx] != digest:
            return _wrong(level, idx)
    return f"stored subtrees of level {level} are out of order"
