"""``tgmirror hide`` / ``unhide``: takedowns of a channel or one post, kept in the archive."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def test_hide_and_unhide_a_post_and_a_channel(cli, simulated_archive, tmp_path: Path) -> None:
    shutil.copytree(simulated_archive["root"] / "data", tmp_path / "data")
    (tmp_path / "tgmirror.toml").write_text('[storage]\ndata_dir = "data"\n')
    db = tmp_path / "data" / "tgmirror.db"

    def hidden(query: str, *args) -> int:
        return sqlite3.connect(db).execute(query, args).fetchone()[0]

    ru = simulated_archive["ru"]
    post = cli("hide", "https://t.me/svobodnye_vesti/7")
    assert post.returncode == 0 and "Hid post 7 of Свободные вести" in post.stdout
    assert hidden("SELECT hidden FROM messages WHERE channel_id = ? AND msg_id = 7", ru) == 1
    channel = cli("hide", "@svobodnye_vesti")
    assert "Hid channel Свободные вести" in channel.stdout
    assert hidden("SELECT hidden FROM channels WHERE id = ?", ru) == 1
    assert cli("unhide", "@svobodnye_vesti/7").returncode == 0
    assert cli("unhide", str(ru)).returncode == 0
    assert hidden("SELECT hidden FROM channels WHERE id = ?", ru) == 0
    assert hidden("SELECT hidden FROM messages WHERE channel_id = ? AND msg_id = 7", ru) == 0
    missing = cli("hide", "@svobodnye_vesti/999999")
    assert missing.returncode == 1 and "post 999999 is not in the archive" in missing.stderr
    unknown = cli("hide", "@nobody_at_all")
    assert unknown.returncode == 1 and "not in the archive" in unknown.stderr
