"""The command line imports only the module of the command it names; the map that says which
module that is must match what the modules register."""

from __future__ import annotations

import pytest

from archiver.cli import COMMAND_MODULES, app, command_word, register


def test_every_command_is_mapped_to_the_module_that_defines_it() -> None:
    register()
    defined = {
        info.name or info.callback.__name__.replace("_", "-"): info.callback.__module__
        for info in app.registered_commands
        if info.callback is not None
    }
    for group in app.registered_groups:
        callbacks = [c.callback for c in group.typer_instance.registered_commands]
        defined[str(group.name)] = next(c.__module__ for c in callbacks if c is not None)
    assert defined == {name: f"archiver.cli.{module}" for name, module in COMMAND_MODULES.items()}


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["status"], "status"),
        (["--config", "x.toml", "sync", "--only", "@a"], "sync"),
        (["-c", "status", "status"], "status"),
        (["--session", "w1.session", "--log-level", "debug", "run", "--no-web"], "run"),
        (["--config=x.toml", "db", "upgrade"], "db"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_word_comes_after_the_global_options(args: list[str], word: str) -> None:
    assert command_word(args) == word
