"""JSONL export for data tools: one flat JSON object per post, straight from the archive.

Unlike ``tdesktop`` it does not repeat Desktop's keys: each line holds the stored columns
(docs/message-json.md shapes, ``id`` for the message id), then ``channel_id``, the post's
``files`` and its earlier versions (``revisions``). The database writes each object
(``store.export_rows.iter_raw_batches``); Python only appends files and history where a post
has them, which keeps a million posts fast.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import IO, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.channels import Channel
from archiver.store.export_rows import RawBatch, iter_raw_batches

_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _dicts(items: Sequence[Any]) -> str:
    return _dumps([dataclasses.asdict(item) for item in items]) if items else "[]"


async def write_jsonl(
    conn: AsyncConnection,
    channel: Channel,
    handle: IO[str],
    *,
    since: int | None = None,
    until: int | None = None,
    on_batch: Callable[[RawBatch], Awaitable[None]] | None = None,
) -> int:
    """Write every visible post of ``channel`` to ``handle``; returns how many."""
    plain_tail = f',"channel_id":{channel.id},"files":[],"revisions":[]}}\n'
    count = 0
    async for batch in iter_raw_batches(conn, channel.id, since=since, until=until):
        files, revisions = batch.files, batch.revisions
        lines = []
        for _msg_id, document, pk in batch.rows:
            if pk in files or pk in revisions:
                tail = (
                    f',"channel_id":{channel.id},"files":{_dicts(files.get(pk, []))},'
                    f'"revisions":{_dicts(revisions.get(pk, []))}}}\n'
                )
            else:
                tail = plain_tail
            lines.append(document[:-1] + tail)
        handle.write("".join(lines))
        count += len(batch.rows)
        if on_batch is not None:
            await on_batch(batch)
    return count
