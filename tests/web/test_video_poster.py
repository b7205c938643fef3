"""A video shows its Telegram thumbnail as poster, its duration and size, and loads nothing
until played; a video skipped for size still shows all three."""

from __future__ import annotations

import hashlib
import re

from archiver.simulator import Document
from archiver.simulator.media_files import mp4_minimal
from archiver.worker.channels import add_channel
from archiver.worker.sync import sync_channels
from tests.web.conftest import make_client


async def test_videos_show_poster_duration_and_size(world, sim_worker, make_config) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "web": {"publish": "all"},
            "archive": {"max_file_size_mb": 1},
        }
    )
    ch = world.add_channel("films", "Films")
    small = mp4_minimal(75, 1)
    big = mp4_minimal(3725, 2) + b"\0" * (3 * 1024 * 1024)
    for data, name, seconds in ((small, "short.mp4", 75), (big, "long.mp4", 3725)):
        world.post(
            ch,
            name,
            media=Document(
                data, "video/mp4", "video", name, duration=seconds, width=640, height=360
            ),
            push=False,
        )
    thumbs = [
        world.file_bytes(world.thumb_file_id(m["media"]["file_id"])) for m in world.messages(ch)
    ]
    async with sim_worker(config) as ctx:
        await add_channel(ctx, "@films")
        await sync_channels(ctx)
    async with make_client(config) as client:
        page = (await client.get("/films")).text
        poster = [f"/media/{hashlib.sha256(t).hexdigest()}.jpg" for t in thumbs]
        played = re.search(r"<video [^>]*>", page)
        assert played is not None
        assert 'preload="none"' in played[0] and f'poster="{poster[0]}"' in played[0]
        skipped = page[page.index("Video not archived") - 300 : page.index("Video not archived")]
        assert f'src="{poster[1]}"' in skipped
        meta = re.findall(r'<div class="media-meta">([^<]*)</div>', page)
        assert [m.split(" · ")[0] for m in meta] == ["1:02:05", "1:15"]  # newest first
        assert meta[0].endswith(" MB")
        served = await client.get(poster[1])
    assert served.status_code == 200 and served.content == thumbs[1]
