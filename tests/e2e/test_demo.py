"""``tgmirror demo --no-serve`` with no config, no account, no network; a re-run adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.sqlite_only  # the demo writes its own config: a SQLite archive in --dir
def test_demo_archives_tells_the_story_and_resumes(cli, tmp_path: Path) -> None:
    first = cli("demo", "--no-serve", "--dir", "demo", timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "صدى الحقيقة (@sada_alhaqiqa) was made private" in first.stdout
    config = tmp_path / "demo" / "tgmirror.toml"
    status = json.loads(cli("--config", str(config), "status", "--json").stdout)
    by_name = {s["username"]: s for s in status}
    assert len(by_name) == 7
    assert "@kyiv_street was archived from t.me/s alone, without an account" in first.stdout
    assert by_name["kyiv_street"]["messages"] == 200  # read from t.me/s, no account
    assert by_name["akhbar_alyawm"]["messages"] == 20000
    assert by_name["sada_alhaqiqa"]["status"] == "erased"
    assert by_name["open_wire"]["deleted"] == 3
    second = cli("demo", "--no-serve", "--dir", "demo", timeout=300)
    assert second.returncode == 0
    assert "Open Wire: done: 0 new messages" in second.stdout
    again = json.loads(cli("--config", str(config), "status", "--json").stdout)
    assert [s["messages"] for s in again] == [s["messages"] for s in status]
