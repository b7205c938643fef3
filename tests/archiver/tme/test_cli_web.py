"""A configuration whose channels are all read from t.me/s needs no [telegram] section, no
API keys and no login: `tgmirror add --source web`, `sync` and `export` just work."""

from __future__ import annotations

import json
from pathlib import Path

from archiver.simulator import Photo, World
from archiver.simulator.media_files import png_gradient
from archiver.simulator.web_preview import serve_web


def test_archive_a_channel_without_an_account(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    world = World.create(tmp_path / "world.sqlite")
    ch = world.add_channel("daily", "Daily news")
    for n in range(30):
        world.post(ch, f"post {n}", views=1500 + n, push=False)
    picture = png_gradient(64, 48, seed=5)
    world.post(ch, "", media=Photo(picture), push=False)
    with serve_web(world.path) as app:
        (tmp_path / "tgmirror.toml").write_text(
            f'[storage]\ndata_dir = "data"\n\n[web_preview]\nbase_url = "{app.state.base_url}"\n'
            f'rate = 50.0\n\n[[channels]]\nref = "@daily"\nsource = "web"\n',
            encoding="utf-8",
        )
        assert cli("db", "upgrade").returncode == 0
        added = cli("add", "--source", "web", "@nosuchname")
        assert added.returncode == 1
        assert "no channel of that name" in added.stderr and "Traceback" not in added.stderr
        synced = cli("sync")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        world.post(ch, "post 30", push=False)
        again = cli("sync")
        assert again.returncode == 0, again.stdout + again.stderr
    on_disk = [p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert picture in on_disk  # downloaded from the page's URL into the media store
    exported = cli("export", "@daily", "--out", "out", "--format", "jsonl")
    assert exported.returncode == 0, exported.stdout + exported.stderr
    lines = [
        json.loads(x)
        for f in (tmp_path / "out").rglob("*.jsonl")
        for x in f.read_text(encoding="utf-8").splitlines()
    ]
    texts = sorted(t for line in lines if isinstance(t := line.get("text"), str) and t)
    assert texts == sorted(f"post {n}" for n in range(31))
