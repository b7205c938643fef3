"""The Jinja2 environment of the mirror's pages: autoescape on, filters from ``archiver.render``,
URL builders as globals. The web mirror and the static HTML export both render with it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from archiver.config import Config
from archiver.render import highlight, plain_summary, render_text
from archiver.site.urls import channel_key, channel_url, media_url, post_url

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

STATUS_REASONS = {
    "deleted": "deleted",
    "private": "made private",
    "banned": "banned by Telegram",
    "restricted": "geo- or platform-restricted",
    "username_moved": "its username now belongs to another channel",
    "username_gone": "its username no longer exists",
}


def format_date(ts: int | None, with_time: bool = True) -> str:
    if not ts:
        return ""
    fmt = "%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d"
    return time.strftime(fmt, time.gmtime(ts))  # a fifth of datetime's cost, 20 times a page


def iso_date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts or 0, UTC).isoformat()


def file_size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def make_environment(config: Config) -> jinja2.Environment:
    """The pages' environment, with the mirror's own (absolute) URLs as globals."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        auto_reload=False,  # templates ship with the package: no stat() of each per page
    )
    env.filters.update(
        render_text=render_text, summary=plain_summary, date=format_date, iso=iso_date,
        filesize=file_size, highlight=highlight,
    )  # fmt: skip
    env.globals.update(
        channel_url=channel_url, post_url=post_url, media_url=media_url,
        channel_key=channel_key, reasons=STATUS_REASONS, base_url=config.web.base_url.rstrip("/"),
        static_prefix="/static/", media_prefix="/media/", home_url="/", static_site=False,
    )  # fmt: skip
    return env
