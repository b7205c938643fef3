"""Provenance of imported captures: the sha256 of the Telegram Desktop export they came from."""

from __future__ import annotations

import hashlib
from pathlib import Path


def export_file_sha256(path: Path) -> str:
    """The sha256 of the export file given to ``tgmirror import``: the zip, or the result.json
    (of a folder), so a reader can match captures with the file they hold."""
    target = path / "result.json" if path.is_dir() else path
    digest = hashlib.sha256()
    with open(target, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
