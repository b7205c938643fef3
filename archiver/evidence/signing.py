"""Sign a new tree head over the whole capture log, when it grew since the last head.

``tgmirror sync`` signs one as it ends and ``tgmirror run`` every ``evidence.head_interval``
seconds (``keep_signing``), so a capture is covered by a signature within that interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from archiver.evidence.heads import sign_head
from archiver.evidence.keys import load_or_create_key
from archiver.evidence.merkle import TreeBuilder, frontier
from archiver.store.evidence_log import HeadRow, add_head, latest_head, leaf_hashes_from
from archiver.store.evidence_subtrees import add_subtrees, node_hashes

log = logging.getLogger(__name__)


_trees: WeakKeyDictionary[AsyncEngine, TreeBuilder] = WeakKeyDictionary()
"""The log's tree as of the last head signed through each engine: the log only grows, so the
next head reads only the captures since (a daemon signs every ``head_interval``)."""


async def sign_new_head(engine: AsyncEngine, data_dir: Path, now: int) -> HeadRow | None:
    """Sign and store a head of the log as it is; None when the latest head already covers it.

    The perfect subtrees the new captures complete are stored with the head, in the same
    transaction, so that every subtree under the latest head has its row (proofs read them).
    """
    key = load_or_create_key(data_dir)
    async with engine.begin() as conn:
        latest = await latest_head(conn)
        tree = _trees.pop(engine, None)  # back only once this transaction commits
        if tree is None or (latest is not None and latest.tree_size != tree.size):
            tree = await _tree_at(conn, latest)
        nodes = tree.extend_nodes(await leaf_hashes_from(conn, tree.size))
        head = None
        if tree.size and (latest is None or latest.tree_size < tree.size):
            head = sign_head(key, tree.size, tree.root(), now)
            await add_subtrees(conn, nodes)
            await add_head(conn, head)
    _trees[engine] = tree
    if head is not None:
        log.info("signed tree head: %d captures, root %s", head.tree_size, head.root_hash.hex())
    return head


async def _tree_at(conn: AsyncConnection, latest: HeadRow | None) -> TreeBuilder:
    """The builder of the log's captures under the ``latest`` head, from every leaf: a head
    signs what the leaves say, so a capture rewritten under the latest head shows in the next
    one (and its witnesses catch it). The stored subtrees are written again from the leaves
    when their frontier does not fold into the same root (a rewrite, or rows lost)."""
    tree = TreeBuilder()
    if latest is None:
        return tree  # the caller stores every subtree with the first head
    size = latest.tree_size
    await _extend(conn, tree, size, store=False)
    keys = frontier(tree.size)
    stored = await node_hashes(conn, keys)
    if all(k in stored for k in keys):
        folded = TreeBuilder.from_frontier(tree.size, [stored[k] for k in keys]).root()
        if folded == tree.root():
            return tree
    log.warning("the stored subtrees differ from the capture log; writing them again")
    tree = TreeBuilder()
    await _extend(conn, tree, size, store=True)
    return tree


async def _extend(conn: AsyncConnection, tree: TreeBuilder, size: int, *, store: bool) -> None:
    """Extend ``tree`` with the logged leaves up to ``size``, storing the subtrees if told."""
    while tree.size < size:
        hashes = await leaf_hashes_from(conn, tree.size, limit=min(_CHUNK, size - tree.size))
        if not hashes:
            return  # the log lost captures a head covers: `tgmirror verify` reports it
        if store:
            await add_subtrees(conn, tree.extend_nodes(hashes))
        else:
            tree.extend(hashes)


_CHUNK = 100_000


async def keep_signing(
    engine: AsyncEngine,
    data_dir: Path,
    interval: float,
    stopping: asyncio.Event,
    clock: Callable[[], float],
) -> None:
    """Sign a head every ``interval`` seconds until ``stopping`` is set, and once more then."""
    while not stopping.is_set():
        await sign_new_head(engine, data_dir, int(clock()))
        try:
            await asyncio.wait_for(stopping.wait(), timeout=interval)
        except TimeoutError:
            continue
    await sign_new_head(engine, data_dir, int(clock()))
