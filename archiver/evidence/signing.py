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

from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.evidence.heads import sign_head
from archiver.evidence.keys import load_or_create_key
from archiver.evidence.merkle import TreeBuilder
from archiver.store.evidence_log import HeadRow, add_head, latest_head, leaf_hashes_from

log = logging.getLogger(__name__)


_trees: WeakKeyDictionary[AsyncEngine, TreeBuilder] = WeakKeyDictionary()
"""The log's tree as of the last head signed through each engine: the log only grows, so the
next head reads only the captures since (a daemon signs every ``head_interval``)."""


async def sign_new_head(engine: AsyncEngine, data_dir: Path, now: int) -> HeadRow | None:
    """Sign and store a head of the log as it is; None when the latest head already covers it."""
    key = load_or_create_key(data_dir)
    async with engine.begin() as conn:
        latest = await latest_head(conn)
        tree = _trees.get(engine)
        if tree is None or (latest is not None and latest.tree_size > tree.size):
            tree = TreeBuilder()  # first head here, or another process signed past ours
        tree.extend(await leaf_hashes_from(conn, tree.size))
        _trees[engine] = tree
        if not tree.size or (latest is not None and latest.tree_size >= tree.size):
            return None
        head = sign_head(key, tree.size, tree.root(), now)
        await add_head(conn, head)
    log.info("signed tree head: %d captures, root %s", head.tree_size, head.root_hash.hex())
    return head


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
