"""Screenshots of the index, a channel, a post and a search in every interface language, at
desktop and phone width (saved under test-artifacts/screenshots/languages/ to look at), and no
page scrolls sideways on a phone in any language or direction."""

from __future__ import annotations

from pathlib import Path

import pytest
from cdp import chromium
from live_mirror import live_mirror

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "languages"
SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
LANGUAGES = ["en", "ar", "fa", "ru", "uk"]


@pytest.fixture(scope="module")
def mirror_url(simulated_archive):
    with live_mirror(simulated_archive["config"]) as url:
        yield url


async def test_pages_in_every_language_fit_a_phone(mirror_url, simulated_archive) -> None:
    pages = {
        "index": "/",
        "channel": "/sada_alhaqiqa",
        "post": f"/open_wire/{simulated_archive['ids']['edited']}",
        "search": "/search?q=%D9%85%D8%AD%D9%85%D8%AF",
    }
    overflowing = []
    async with chromium() as browser, browser.page() as page:
        for label, (width, height, mobile) in SIZES.items():
            await page.viewport(width, height, mobile)
            for lang in LANGUAGES:
                for name, path in pages.items():
                    joiner = "&" if "?" in path else "?"
                    await page.goto(f"{mirror_url}{path}{joiner}lang={lang}")
                    wide = await page.evaluate(
                        "document.documentElement.scrollWidth > window.innerWidth"
                    )
                    if wide:
                        overflowing.append(f"{lang} {name} {label}")
                    shot = await page.screenshot(ARTIFACTS / f"{lang}-{name}-{label}.png")
                    assert shot.stat().st_size > 5000
    assert overflowing == []
