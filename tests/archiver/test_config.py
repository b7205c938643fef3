"""Config loading: lookup order, relative paths, env secrets, strict keys and types."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from archiver.config import Config, load_config
from archiver.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "tgmirror.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_and_documents_every_key() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert config.channels[0].ref == "@durov"
    text = (ROOT / "config.example.toml").read_text()
    for section in ("telegram", "storage", "archive", "web", "simulator"):
        for f in dataclasses.fields(getattr(Config(), section)):
            match = re.search(rf"^(# )?{f.name} = ", text, re.MULTILINE)
            assert match, f"{section}.{f.name} missing from config.example.toml"
            before = text[: match.start()].rstrip().splitlines()[-1]
            assert before.startswith("#"), f"{section}.{f.name} has no comment above it"


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[storage]\ndata_dir = "arch"\n')
    config = load_config(path, env={})
    assert config.storage.data_dir == (tmp_path / "conf" / "arch").resolve()
    assert config.database_url.endswith(f"{tmp_path}/conf/arch/tgmirror.db")


def test_env_secrets_override_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[telegram]\napi_id = 1\napi_hash = 'file'\n")
    config = load_config(path, env={"TGMIRROR_API_ID": "42", "TGMIRROR_API_HASH": "env"})
    assert (config.telegram.api_id, config.telegram.api_hash) == (42, "env")


def test_env_config_path_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "[web]\nport = 9001\n")
    monkeypatch.setenv("TGMIRROR_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)
    assert load_config(None, env={}).web.port == 9001


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[web]\nprot = 1\n", "web.prot: unknown key (did you mean 'port'?)"),
        ("[web]\nport = 'abc'\n", "web.port: expected an integer, got 'abc'"),
        ("[archive]\nconcurrency = true\n", "archive.concurrency: expected an integer"),
        ("[archive]\nmedia_kinds = ['foto']\n", "unknown media kind 'foto'"),
        ("[[channels]]\npublish = 'always'\n", "channels[0].ref: missing"),
        ("[web]\npublish = 'some'\n", "web.publish: expected one of 'erased', 'all'"),
        ("[web\n", "not valid TOML"),
        ("[bogus]\n", "bogus: unknown key"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", env={})
