"""The core never imports the web app: every archiver module imports without ``web``."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import archiver


def test_no_archiver_module_imports_web() -> None:
    names = [m.name for m in pkgutil.walk_packages(archiver.__path__, "archiver.")
             if m.name != "archiver.__main__"]  # fmt: skip
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'web' or m.startswith('web.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
