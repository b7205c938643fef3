"""Light pages: Lighthouse scores of a demo channel page, and the bytes a phone downloads for a
channel page of 20 photo posts, thumbnails (this code) next to full-size photos (main's code).

Builds a simulated channel of 20 posts with 1280×960 JPEG photos (the size Telegram serves),
archives it through the real archiver, and serves it twice from this process (uvicorn, one
worker each): as it is, and with photos linked at full size as before thumbnails existed (the
baseline, measured in the same run). Headless Chromium (Debian's, over the DevTools protocol)
loads each page at phone size, scrolls to the end so every lazy image loads, and adds up the
bytes received. Then Lighthouse (npm, pinned in tests/browser) runs against Debian's Chromium
(CHROME_PATH) with its default mobile emulation and simulated throttling, ``--runs`` times; the
table gives the median of each score (the scores are too noisy for a test).

    python bench/lighthouse.py [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/web.py would shadow the ``web`` package: import from the project, not from bench/
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]
LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 95}
PHOTOS = 20


def photo_jpeg(seed: int) -> bytes:
    """A 1280×960 photo-like JPEG (smooth shapes and noise, as a camera picture compresses)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", (1280, 960), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(1280), rng.randrange(960)
        r = rng.randrange(40, 400)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(6))
    noise = Image.effect_noise((1280, 960), 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=87)
    return out.getvalue()


async def build_archive(root: Path) -> Any:
    from archiver.config import config_from_dict
    from archiver.db.engine import open_engine, upgrade
    from archiver.simulator import Photo, World
    from archiver.simulator.auth import LOGIN_CODE
    from archiver.telegram.client import make_client, sign_in
    from archiver.worker.channels import add_channel
    from archiver.worker.context import WorkerContext
    from archiver.worker.sync import sync_channels

    world = World.create(root / "world.sqlite")
    channel = world.add_channel("photo_wire", "Photo Wire", about="Photos from the field.")
    for n in range(PHOTOS):
        world.post(
            channel,
            text=f"Photo report {n + 1}: the square at noon, day {n + 1}.",
            media=Photo(photo_jpeg(n), 1280, 960),
            views=1000 + 37 * n,
        )
    world.close()
    config = config_from_dict(
        {
            "simulator": {"world": str(root / "world.sqlite")},
            "storage": {"data_dir": "data"},
            "web": {"publish": "all"},
        },
        root,
    )
    engine = open_engine(config.database_url)
    await upgrade(engine)
    client = make_client(config)
    await client.connect()
    try:
        await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
        ctx = WorkerContext(config, engine, client)
        assert (await add_channel(ctx, "@photo_wire")).error is None
        await sync_channels(ctx)
    finally:
        await client.disconnect()
        await engine.dispose()
    return config


def serve(config: Any, full_size: bool) -> tuple[str, Any]:
    """Serve the archive on a free loopback port; ``full_size``: photos as main links them."""
    import uvicorn

    from archiver.site.photos import photo_image
    from web.app import create_app

    app = create_app(config)
    if full_size:
        for pages in app.state.templates.by_language.values():
            pages.env.globals["photo_image"] = functools.partial(photo_image, thumbnails=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


async def page_bytes(url: str) -> tuple[int, int]:
    """Bytes a phone (390×844, 2× pixels) receives for ``url`` scrolled to its end; requests."""
    from cdp import chromium

    async with chromium() as browser, browser.page() as page:
        await page.send("Network.enable")
        await page.send("Network.setCacheDisabled", cacheDisabled=True)
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=844,
            deviceScaleFactor=2,
            mobile=True,
        )
        await page.goto(url)
        for _ in range(40):  # scroll down step by step: lazy images load as they come near
            await page.evaluate("window.scrollBy(0, 600)")
            await asyncio.sleep(0.15)
        await asyncio.sleep(1.0)
        await page.evaluate("1")  # collect the last events
        done = [e for e in page.events if e.get("method") == "Network.loadingFinished"]
        return sum(int(e["params"]["encodedDataLength"]) for e in done), len(done)


def lighthouse(url: str, out: Path) -> dict[str, float]:
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        check=True,
        env=env,
        timeout=300,
    )
    report = json.loads(out.read_text())
    failed = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None
        and a["score"] < 1
        and a.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    scores = {c: report["categories"][c]["score"] * 100 for c in CATEGORIES}
    shown = ", ".join(f"{c}={v:.0f}" for c, v in scores.items())
    print(f"  run: {shown}; audits below full marks: {', '.join(failed) or 'none'}")
    return scores


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the archive in this directory")
    args = parser.parse_args()
    assert LIGHTHOUSE.is_file(), "run `npm ci` in tests/browser first"
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        if (root / "config.json").is_file():
            from archiver.config import config_from_dict

            config = config_from_dict(json.loads((root / "config.json").read_text()), root)
        else:
            config = await build_archive(root)
            (root / "config.json").write_text(
                json.dumps(
                    {
                        "simulator": {"world": str(root / "world.sqlite")},
                        "storage": {"data_dir": "data"},
                        "web": {"publish": "all"},
                    }
                )
            )
        base_url, base_server = serve(config, full_size=True)
        url, server = serve(config, full_size=False)
        try:
            await page_bytes(url + "/photo_wire")  # thumbnails are made on first request
            before, before_n = await page_bytes(base_url + "/photo_wire")
            after, after_n = await page_bytes(url + "/photo_wire")
            scores = [
                lighthouse(url + "/photo_wire", root / f"lighthouse-{i}.json")
                for i in range(args.runs)
            ]
        finally:
            server.should_exit = base_server.should_exit = True
    print(f"\nchannel page of {PHOTOS} photo posts, phone 390×844 at 2× pixels, scrolled down")
    print("| what | requests | bytes | ratio |")
    print("|---|---|---|---|")
    print(f"| baseline: full-size photos (main) | {before_n} | {before:,} | 1.00 |")
    print(f"| thumbnails, srcset, lazy | {after_n} | {after:,} | {after / before:.2f} |")
    print(f"\nLighthouse {args.runs} runs, mobile emulation, simulated throttling (median)")
    print("| category | median | runs | target |")
    print("|---|---|---|---|")
    for c in CATEGORIES:
        runs = [s[c] for s in scores]
        print(
            f"| {c} | {statistics.median(runs):.0f} | {' '.join(f'{r:.0f}' for r in runs)} "
            f"| >= {TARGETS[c]} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
