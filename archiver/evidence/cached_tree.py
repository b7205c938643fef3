"""A process's copy of the capture log's Merkle tree, extended as the log grows.

The log is append-only, so the copy only ever reads the captures it does not have yet; proofs
then cost O(log² n) hashes instead of a read of the whole log. One lock serializes the
extensions: two requests that both found the copy short must not both append the same leaves.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.evidence.merkle import Tree
from archiver.store.evidence_log import leaf_hashes_from


class CachedTree:
    """``at_least(conn, size)`` gives the tree holding at least ``size`` leaves."""

    def __init__(self) -> None:
        self.tree = Tree()
        self._lock = asyncio.Lock()

    async def at_least(self, conn: AsyncConnection, size: int) -> Tree:
        """The cached tree, first extended from the database if it has fewer than ``size``."""
        if self.tree.size < size:
            async with self._lock:
                if self.tree.size < size:
                    self.tree.extend(await leaf_hashes_from(conn, self.tree.size))
        return self.tree
