"""axe-core finds no WCAG 2.1 A or AA violation on the mirror's pages, left-to-right (English)
and right-to-left (Arabic), in Debian's headless Chromium against uvicorn; every image has an
alt text; the keyboard reaches the content and shows where its focus is."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from axe import axe_violations
from cdp import chromium
from live_mirror import live_mirror

from web.pages.admin import COOKIE
from web.security import admin_cookie_value

TOKEN = "axe-admin-token"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def mirror_url(simulated_archive):
    config = simulated_archive["config"]
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, admin_token=TOKEN))
    with live_mirror(config) as url:
        yield url


def _pages(ids: dict) -> dict[str, str]:
    return {
        "index": "/",
        "channel": "/open_wire",
        "post-with-history": f"/open_wire/{ids['edited']}",
        "search": "/search?q=%D9%85%D8%AD%D9%85%D8%AF",
        "erased-channel": "/sada_alhaqiqa",
        "media-heavy-channel": "/svobodnye_vesti",
        "admin": "/admin",
    }


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_no_wcag_violations(mirror_url, simulated_archive, lang) -> None:
    found = {}
    async with chromium() as browser, browser.page() as page:
        await page.send("Network.enable")
        await page.send(
            "Network.setCookie", name=COOKIE, value=admin_cookie_value(TOKEN), url=mirror_url
        )
        for name, path in _pages(simulated_archive["ids"]).items():
            joiner = "&" if "?" in path else "?"
            await page.goto(f"{mirror_url}{path}{joiner}lang={lang}")
            assert await page.evaluate("document.documentElement.lang") == lang
            if name == "admin":
                assert await page.evaluate("document.querySelectorAll('table tr').length") > 1
            violations = await axe_violations(page)
            if violations:
                found[name] = violations
    report = json.dumps(found, indent=1, ensure_ascii=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{lang}.json").write_text(report, encoding="utf-8")
    assert found == {}, report


async def test_every_image_has_alt_text(mirror_url) -> None:
    images = []
    async with chromium() as browser, browser.page() as page:
        for path in ("/", "/svobodnye_vesti", "/sada_alhaqiqa?lang=ar"):
            await page.goto(mirror_url + path)
            images += await page.evaluate(
                "[...document.images].map(i => [i.src, i.getAttribute('alt')])"
            )
    assert len(images) > 5
    assert [src for src, alt in images if not (alt or "").strip()] == []
    assert any(alt.startswith("صورة") for _, alt in images)  # in the page's language


async def test_keyboard_reaches_the_content_with_visible_focus(mirror_url) -> None:
    async with chromium() as browser, browser.page() as page:
        await page.goto(mirror_url + "/svobodnye_vesti")
        await page.send(
            "Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9
        )
        await page.send(
            "Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9
        )
        first = await page.evaluate(
            "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
            " return [a.className, a.getAttribute('href'), s.outlineStyle, s.outlineWidth,"
            " a.getBoundingClientRect().top >= 0]; })()"
        )
        assert first[0] == "skip" and first[1] == "#content"
        assert first[2] == "solid" and first[3] != "0px" and first[4]  # shown, with a ring
        await page.send(
            "Input.dispatchKeyEvent",
            type="keyDown",
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
        )
        await page.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
        )
        assert await page.evaluate("location.hash") == "#content"
