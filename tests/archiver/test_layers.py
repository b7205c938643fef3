"""The core never imports the web app: every archiver module imports without ``web``."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import archiver


def test_no_archiver_module_imports_web() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(archiver.__path__, "archiver.")
        if m.name != "archiver.__main__"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'web' or m.startswith('web.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_the_cli_imports_web_even_inside_functions() -> None:
    # The static HTML export renders the same templates as the mirror, from archiver.site.
    found = []
    for path in Path(archiver.__path__[0]).rglob("*.py"):
        if "cli" in path.relative_to(archiver.__path__[0]).parts:
            continue  # `serve`, `demo` and `run` start the web app: the one allowed exception
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n == "web" or n.startswith("web.")]
    assert found == []
