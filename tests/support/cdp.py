"""Headless Chromium (Debian's ``chromium``) driven over the Chrome DevTools Protocol.

A small client: start the browser on a free debugging port, open a page, wait for its load
event, evaluate JavaScript (DevTools evaluation is not subject to the page's CSP, so a test can
inject axe-core into a page whose CSP allows only its own scripts), set the viewport and take
screenshots. Used by the accessibility tests, the screenshot tests and bench/lighthouse.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
    "--disable-component-update",
    "--disable-default-apps",
    "--mute-audio",
    "--remote-debugging-port=0",
)


class Page:
    """One browser tab over its own DevTools websocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        await self.ws.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    async def wait_event(self, name: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {name} within {timeout} s")
            self.events.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))

    async def goto(self, url: str) -> None:
        """Navigate and wait for the load event (scripts ran, images loaded)."""
        self.events.clear()
        await self.send("Page.navigate", url=url)
        await self.wait_event("Page.loadEventFired")

    async def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` (awaited if it is a promise), as JSON."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    async def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        data = await self.send("Page.captureScreenshot", **params)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a test on another pytest-xdist worker (the other
        # database backend) may save the same page under the same name at the same time.
        part = path.with_name(f".{path.name}.{os.getpid()}")
        part.write_bytes(base64.b64decode(data["data"]))
        os.replace(part, path)
        return path


class Browser:
    """A running headless Chromium; ``page()`` opens a tab."""

    def __init__(self, port: int) -> None:
        self.port = port

    @asynccontextmanager
    async def page(self) -> AsyncIterator[Page]:
        base = f"http://127.0.0.1:{self.port}"
        async with httpx.AsyncClient() as http:
            target = (await http.put(f"{base}/json/new?about:blank")).json()
            try:
                async with connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
                    page = Page(ws)
                    await page.send("Page.enable")
                    await page.send("Runtime.enable")
                    yield page
            finally:
                await http.get(f"{base}/json/close/{target['id']}")


@asynccontextmanager
async def chromium(*extra: str) -> AsyncIterator[Browser]:
    """Start headless Chromium with a throwaway profile; stop it afterwards."""
    assert CHROMIUM, "chromium is not installed: apt-get install -y chromium (see .ci/run)"
    # Chromium's helper processes may still write to the profile as the browser exits: the
    # whole process group is stopped, and a file they leave behind does not fail the test.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not port_file.is_file() or not port_file.read_text().strip():
                assert process.poll() is None, "chromium exited at start"
                assert time.monotonic() < deadline, "chromium did not open its debugging port"
                await asyncio.sleep(0.05)
            yield Browser(int(port_file.read_text().split()[0]))
        finally:
            _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every helper process it started (they share its session)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # helpers that outlived the browser
