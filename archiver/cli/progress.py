"""Show sync progress: rich progress bars on a terminal, plain log lines otherwise."""

from __future__ import annotations

import time

from rich import filesize
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class BarReporter:
    """One progress bar per channel: messages archived and media bytes downloaded."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("msgs  media {task.fields[media]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[int, TaskID] = {}
        self._bytes: dict[int, int] = {}

    def __enter__(self) -> BarReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def channel_started(self, channel_id: int, title: str, total: int | None) -> None:
        if channel_id not in self._tasks:
            self._tasks[channel_id] = self.progress.add_task(title[:40], total=total, media="0 B")

    def advanced(self, channel_id: int, messages: int = 0, media_bytes: int = 0) -> None:
        task = self._tasks.get(channel_id)
        if task is None:
            return
        self._bytes[channel_id] = self._bytes.get(channel_id, 0) + media_bytes
        media = filesize.decimal(self._bytes[channel_id])
        self.progress.update(task, advance=messages, media=media)

    def channel_finished(self, channel_id: int, outcome: str) -> None:
        task = self._tasks.get(channel_id)
        if task is not None:
            state = self.progress.tasks[task]
            label = f"{state.description} [{outcome}]"
            self.progress.update(task, total=state.completed, description=label)


class LineReporter:
    """Plain lines for logs and pipes, at most one per channel every few seconds."""

    def __init__(self, console: Console, every: float = 5.0) -> None:
        self.console = console
        self.every = every
        self._titles: dict[int, str] = {}
        self._counts: dict[int, list[int]] = {}
        self._last: dict[int, float] = {}

    def __enter__(self) -> LineReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def channel_started(self, channel_id: int, title: str, total: int | None) -> None:
        self._titles[channel_id] = title
        self._counts.setdefault(channel_id, [0, 0])
        self._last[channel_id] = time.monotonic()
        about = f" ({total} messages on Telegram)" if total is not None else ""
        self.console.print(f"sync {title}: started{about}")

    def advanced(self, channel_id: int, messages: int = 0, media_bytes: int = 0) -> None:
        counts = self._counts.setdefault(channel_id, [0, 0])
        counts[0] += messages
        counts[1] += media_bytes
        now = time.monotonic()
        if now - self._last.get(channel_id, 0) >= self.every:
            self._last[channel_id] = now
            self._line(channel_id, "progress")

    def channel_finished(self, channel_id: int, outcome: str) -> None:
        self._line(channel_id, outcome)

    def _line(self, channel_id: int, what: str) -> None:
        messages, size = self._counts.get(channel_id, [0, 0])
        title = self._titles.get(channel_id, str(channel_id))
        self.console.print(f"sync {title}: {what}: {messages} messages, {size} media bytes")
