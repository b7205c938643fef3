"""Proofs over the capture log read from the database: O(log n) rows per proof.

An inclusion or consistency proof reads the hashes of the perfect subtrees it walks
(``merkle.needed_nodes``): from ``evidence_subtrees`` under the latest signed head, and
from the leaf hashes of the captures logged since (a subtree without a row is composed from
its two halves). A cold process, `tgmirror evidence` on the command line or a new server, so
reads a few dozen rows instead of every leaf hash. The log is append-only, so a subtree's
hash never changes once its captures are logged: each process keeps those it has read.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.evidence.canonical import node_hash
from archiver.evidence.merkle import NodeMap, ProofError, needed_nodes
from archiver.store.evidence_log import log_size
from archiver.store.evidence_subtrees import node_hashes

Key = tuple[int, int]


class StoredTree:
    """The capture log's tree, read subtree by subtree as proofs need them."""

    def __init__(self, cache_limit: int = 500_000) -> None:
        self._cache: dict[Key, bytes] = {}
        self._limit = cache_limit

    async def inclusions(
        self, conn: AsyncConnection, indices: Iterable[int], size: int
    ) -> dict[int, list[bytes]]:
        """PATH(index, D[size]) of each of ``indices``."""
        wanted = list(indices)
        nodes = await self._tree(conn, size, needed_nodes(size, inclusion=wanted))
        return {i: nodes.inclusion(i, size) for i in wanted}

    async def inclusion(self, conn: AsyncConnection, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size])."""
        return (await self.inclusions(conn, [index], size))[index]

    async def consistency(self, conn: AsyncConnection, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, D[new_size])."""
        keys = needed_nodes(new_size, consistency_from=old_size)
        return (await self._tree(conn, new_size, keys)).consistency(old_size, new_size)

    async def leaf_hash(self, conn: AsyncConnection, index: int) -> bytes:
        """The logged leaf hash of capture ``index``."""
        return (await self._tree(conn, index + 1, {(0, index)})).node(0, index)

    async def _tree(self, conn: AsyncConnection, size: int, keys: set[Key]) -> NodeMap:
        """A tree of ``size`` leaves holding the hashes of ``keys``."""
        if size > 0 and any(k not in self._cache for k in keys):
            logged = await log_size(conn)
            if size > logged:
                raise ProofError(f"no tree of {size} captures: the log holds {logged}")
            await self._read(conn, keys)
        return NodeMap(size, {k: self._cache[k] for k in keys})

    async def _read(self, conn: AsyncConnection, keys: set[Key]) -> None:
        """Put the hashes of ``keys`` (all within the log) into the cache: stored rows, and
        for a subtree without one (not yet under a signed head), its halves, recursively."""
        if len(self._cache) > self._limit:
            self._cache.clear()
        cache = self._cache
        composed: list[Key] = []
        want = {k for k in keys if k not in cache}
        while want:
            found = await node_hashes(conn, want)
            cache.update(found)
            missing = want.difference(found)
            if any(level == 0 for level, _ in missing):
                first = min(i for level, i in missing if level == 0)
                raise ProofError(f"capture #{first} is missing from the log")
            composed.extend(missing)
            want = {
                half
                for level, i in missing
                for half in ((level - 1, 2 * i), (level - 1, 2 * i + 1))
                if half not in cache
            }
        for level, i in sorted(composed):
            cache[level, i] = node_hash(cache[level - 1, 2 * i], cache[level - 1, 2 * i + 1])
