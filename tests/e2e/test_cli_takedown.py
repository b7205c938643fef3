"""``tgmirror hide`` / ``unhide``: takedowns of a channel or one post, kept in the archive."""

from __future__ import annotations

from pathlib import Path

import archive_sql


def test_hide_and_unhide_a_post_and_a_channel(cli, archive_copy, tmp_path: Path) -> None:
    (tmp_path / "tgmirror.toml").write_text(f"[storage]\n{archive_copy['storage_toml']}")
    url = archive_copy["config"].database_url
    ru = archive_copy["ru"]
    post_hidden = "SELECT hidden FROM messages WHERE channel_id = :ru AND msg_id = 7"
    channel_hidden = "SELECT hidden FROM channels WHERE id = :ru"
    post = cli("hide", "https://t.me/svobodnye_vesti/7")
    assert post.returncode == 0 and "Hid post 7 of Свободные вести" in post.stdout
    assert archive_sql.value(url, post_hidden, ru=ru) == 1
    channel = cli("hide", "@svobodnye_vesti")
    assert "Hid channel Свободные вести" in channel.stdout
    assert archive_sql.value(url, channel_hidden, ru=ru) == 1
    assert cli("unhide", "@svobodnye_vesti/7").returncode == 0
    assert cli("unhide", str(ru)).returncode == 0
    assert archive_sql.value(url, channel_hidden, ru=ru) == 0
    assert archive_sql.value(url, post_hidden, ru=ru) == 0
    missing = cli("hide", "@svobodnye_vesti/999999")
    assert missing.returncode == 1 and "post 999999 is not in the archive" in missing.stderr
    unknown = cli("hide", "@nobody_at_all")
    assert unknown.returncode == 1 and "not in the archive" in unknown.stderr
