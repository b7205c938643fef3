"""Wait for what a test expects a process to do: poll a condition until it holds or time is up.

A deadline, not a timed assertion: the test fails only when the thing never happens, and the
deadline is far above what the thing takes on a loaded machine.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

T = TypeVar("T")


def poll_until(predicate: Callable[[], T], seconds: float = 60, every: float = 0.2) -> T | None:
    """``predicate()``'s first true value, or None once ``seconds`` pass without one: for a
    caller that asserts afterwards with more detail than "timed out"."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(every)


def wait_for(
    predicate: Callable[[], T], seconds: float = 60, every: float = 0.2, what: str = ""
) -> T:
    """``predicate()``'s first true value; AssertionError (naming ``what``) after ``seconds``
    without one."""
    value = poll_until(predicate, seconds, every)
    if value is None or not value:
        raise AssertionError(f"timed out after {seconds:.0f} s" + (f": {what}" if what else ""))
    return value


async def wait_until(
    predicate: Callable[[], Awaitable[object] | object],
    seconds: float = 30,
    every: float = 0.1,
    what: str = "",
) -> None:
    """``wait_for`` inside a test's event loop: ``predicate`` may be a coroutine function (a
    read of the archive), and the loop runs (updates, the daemon) while it waits."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s" + (f": {what}" if what else ""))
        await asyncio.sleep(every)


def http_status(url: str) -> int | None:
    """The status a GET of ``url`` gets, or None while nothing answers there."""
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.TransportError:
        return None


def accepts_connections(host: str, port: int) -> bool:
    """Whether something listens on ``host``:``port``."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True
