"""Logging for every command, and the filter that keeps secrets out of everything it writes.

Secrets (the api_hash, the session's auth key and its string form, the login code and
password, the admin token, a database password) are registered in ``SECRETS`` as soon as they
are known; ``RedactSecrets`` then replaces them with ``[redacted]`` in each record's message,
arguments, exception text and stack, whichever handler writes it. Uncaught tracebacks go
through the same replacement.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Mapping
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from archiver.config import Config

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogLevel(StrEnum):
    """The levels a user may choose (``tgmirror --log-level``)."""

    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


MIN_SECRET_LENGTH = 5
"""Shorter values (a placeholder api_hash "x", an empty token) would redact ordinary words."""


class Secrets:
    """The set of strings that must never be written out, and their replacement in text."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, *values: str | None) -> None:
        """Register values (None and values too short to be secret are ignored)."""
        self._values.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``[redacted]``."""
        for value in sorted(self._values, key=len, reverse=True):  # longest first: no leftovers
            if value in text:
                text = text.replace(value, REDACTED)
        return text


SECRETS = Secrets()
"""The process's secrets: process-wide, as logging's handlers are."""


class RedactSecrets(logging.Filter):
    """Replace secrets in a record before any handler formats it (message, args, traceback)."""

    def __init__(self, secrets: Secrets = SECRETS) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad %-args: keep both parts, still redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.secrets.redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info))
            record.exc_text, record.exc_info = text.rstrip("\n"), None
        if record.exc_text:
            record.exc_text = self.secrets.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.secrets.redact(record.stack_info)
        return True


def setup_logging(level: str = "warning") -> None:
    """Log to stderr at ``level`` (a ``LogLevel`` value) through the secret filter.

    Replaces the handler a previous call installed, so a command may raise the level. Telethon
    stays at warnings unless ``level`` is debug.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "tgmirror", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.tgmirror = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("telethon").setLevel("DEBUG" if level == "debug" else "WARNING")
    sys.excepthook = _redacted_excepthook


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging, with the secret filter on its handlers (also in worker processes)."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {**LOGGING_CONFIG, "filters": {"secrets": {"()": RedactSecrets}}}
    config["handlers"] = {
        name: {**handler, "filters": ["secrets"]}
        for name, handler in LOGGING_CONFIG["handlers"].items()
    }
    return config


def _redacted_excepthook(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    text = "".join(traceback.format_exception(kind, exc, tb))
    sys.stderr.write(SECRETS.redact(text))


def protect_config(config: Config, env: Mapping[str, str] | None = None) -> None:
    """Register the secrets a config holds: api_hash, admin token, a database password (in
    the URL, or in ``PGPASSWORD``, which asyncpg reads when the URL has none), and the S3
    secret key and session token the environment gives for media on S3."""
    env = os.environ if env is None else env
    try:
        password = make_url(config.database_url).password
    except ArgumentError:  # a malformed URL fails later, with its own clear message
        password = None
    SECRETS.add(
        config.telegram.api_hash,
        config.web.admin_token,
        password,
        env.get("AWS_SECRET_ACCESS_KEY"),
        env.get("AWS_SESSION_TOKEN"),
        env.get("PGPASSWORD"),
    )
