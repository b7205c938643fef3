"""The ``tgmirror`` command line: parse arguments, call archiver functions, print.

Each command group lives in its own module and registers itself on ``app``. Errors a user can
act on (``TgmirrorError``) become one red line on stderr and exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from archiver import __version__
from archiver.cli.context import console_err
from archiver.errors import TgmirrorError
from archiver.logs import SECRETS, LogLevel, setup_logging

app = typer.Typer(
    name="tgmirror",
    help="Archive Telegram channels and serve a mirror of the ones that get erased.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"tgmirror {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file (default: $TGMIRROR_CONFIG, ./tgmirror.toml).",
            dir_okay=False,
        ),
    ] = None,
    session: Annotated[
        Path | None,
        typer.Option(
            "--session",
            help="Use only this Telegram account: the name of one of [[telegram.accounts]] "
            "(e.g. to log it in), else a session file instead of telegram.session: one per "
            "worker when several run on one machine.",
            dir_okay=False,
        ),
    ] = None,
    log_level: Annotated[
        LogLevel | None,
        typer.Option(
            "--log-level",
            help="Log detail on stderr (default: info for run, else warning). Secrets are "
            "always replaced by [redacted].",
            case_sensitive=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    ctx.obj = config
    ctx.meta["tgmirror.session"] = session
    ctx.meta["tgmirror.log_level"] = log_level.value if log_level else None
    setup_logging(log_level.value if log_level else "warning")


# Which module defines each command: ``main`` imports only the one a command line names, so
# ``tgmirror status`` does not pay for Telethon, Alembic or FastAPI (a test keeps this in step
# with what the modules register).
COMMAND_MODULES = {
    "add": "archive",
    "backup": "check",
    "check": "check",
    "db": "db",
    "demo": "demo",
    "evidence": "evidence",
    "export": "transfer",
    "hide": "serve",
    "import": "transfer",
    "login": "archive",
    "migrate-db": "migrate_db",
    "remove": "archive",
    "run": "daemon",
    "serve": "serve",
    "status": "status",
    "sync": "archive",
    "timestamp": "timestamps",
    "unhide": "serve",
    "verify": "evidence",
    "verify-bundle": "evidence",
    "witness": "witness",
}
_VALUED_OPTIONS = frozenset({"--config", "-c", "--session", "--log-level"})


def command_word(args: list[str]) -> str | None:
    """The command a command line names (after the global options), or None if none does."""
    words = iter(args)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def register(command: str | None = None) -> None:
    """Add `command`'s module to ``app`` (imported for that side effect), or every module when
    `command` is None or unknown (``--help`` lists them all; click names a wrong one)."""
    module = COMMAND_MODULES.get(command or "")
    for name in [module] if module else sorted(set(COMMAND_MODULES.values())):
        __import__(f"archiver.cli.{name}")


def main() -> None:
    """Entry point of the ``tgmirror`` console script."""
    word = command_word(sys.argv[1:])
    if word is not None or "--version" not in sys.argv[1:]:  # --version needs no command
        register(word)
    try:
        app()
    except TgmirrorError as exc:
        console_err.print(
            f"[red]error:[/red] {escape(SECRETS.redact(str(exc)))}", highlight=False, markup=True
        )
        sys.exit(1)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
