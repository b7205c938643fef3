"""``tgmirror export`` and ``tgmirror import`` as a user runs them, errors in one line."""

from __future__ import annotations

import json
from pathlib import Path


def _config(tmp_path: Path, storage: str) -> Path:
    conf = tmp_path / "mirror.toml"
    conf.write_text(f"[storage]\n{storage}")
    return conf


def test_export_then_import_elsewhere(cli, archive_copy, cli_database, tmp_path: Path) -> None:
    conf = _config(tmp_path, archive_copy["storage_toml"])
    out = cli(
        "--config",
        str(conf),
        "export",
        "@svobodnye_vesti",
        "--format",
        "tdesktop",
        "--out",
        str(tmp_path / "exp"),
    )
    assert out.returncode == 0, out.stderr
    assert "Exported" in out.stdout and (tmp_path / "exp" / "result.json").is_file()
    refused = cli(
        "--config", str(conf), "export", "@svobodnye_vesti", "--out", str(tmp_path / "exp")
    )
    assert refused.returncode == 1 and "use --update" in refused.stderr
    jsonl = cli(
        "--config",
        str(conf),
        "export",
        "@open_wire",
        "--format",
        "jsonl",
        "--no-media",
        "--since",
        "2020-01-01",
        "--out",
        str(tmp_path / "j"),
    )
    assert jsonl.returncode == 0
    first = json.loads((tmp_path / "j" / "messages.jsonl").read_text().splitlines()[0])
    assert first["id"] >= 1
    elsewhere = tmp_path / "o"
    elsewhere.mkdir()
    other = _config(elsewhere, f'data_dir = "data"\n{cli_database(elsewhere).setting}')
    assert cli("--config", str(other), "db", "upgrade").returncode == 0
    imported = cli("--config", str(other), "import", str(tmp_path / "exp"))
    assert imported.returncode == 0, imported.stderr
    assert "Imported Свободные вести" in imported.stdout
    assert "Imported 1 chat, " in imported.stdout and "dates written at " in imported.stdout


def test_bad_arguments_and_bad_files_give_one_line(cli, cli_database, tmp_path: Path) -> None:
    conf = _config(tmp_path, f'data_dir = "data"\n{cli_database(tmp_path).setting}')
    cli("--config", str(conf), "db", "upgrade")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "result.json").write_text('{"name": "x", "id": 5, "messages": [{')
    for args, expected in (
        (("import", str(tmp_path / "broken")), "not valid JSON"),
        (("import", str(tmp_path / "nothing")), "no such file or folder"),
        (("export", "@nobody_here", "--out", str(tmp_path / "x")), "not in the archive"),
        (("export", "@a_channel", "--since", "yesterday", "--out", "x"), "YYYY-MM-DD"),
    ):
        result = cli("--config", str(conf), *args)
        assert result.returncode != 0, args
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
