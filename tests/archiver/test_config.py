"""Config loading: lookup order, relative paths, env secrets, strict keys and types."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from archiver.config import Config, aws_credentials, load_config
from archiver.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "tgmirror.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _documented_keys(text: str, section: str, table: object) -> None:
    """Every field of ``table`` appears in ``[section]`` with a comment above it; a nested
    table (``storage.s3``) is its own ``[section.name]``."""
    body = text.split(f"\n[{section}]\n", 1)[1].split("\n[", 1)[0]
    for f in dataclasses.fields(table):
        value = getattr(table, f.name)
        if dataclasses.is_dataclass(value):
            assert f"\n[{section}.{f.name}]\n" in text, f"[{section}.{f.name}] missing"
            _documented_keys(text, f"{section}.{f.name}", value)
            continue
        match = re.search(rf"^(# )?{f.name} = ", body, re.MULTILINE)
        assert match, f"{section}.{f.name} missing from config.example.toml"
        before = body[: match.start()].rstrip().splitlines()[-1]
        assert before.startswith("#"), f"{section}.{f.name} has no comment above it"


def test_example_config_loads_and_documents_every_key() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert config.channels[0].ref == "@durov"
    text = (ROOT / "config.example.toml").read_text()
    for section in ("telegram", "storage", "archive", "live", "web", "simulator"):
        _documented_keys(text, section, getattr(Config(), section))


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
        ("[storage]\nmedia_backend = 's3'\n", "storage.s3.bucket: missing (required when"),
        ("[storage]\nmedia_backend = 'ftp'\n", "storage.media_backend: expected one of 'local'"),
        ("[storage.s3]\nbukket = 'b'\n", "storage.s3.bukket: unknown key (did you mean 'bucket'?)"),
        ("[storage.s3]\nweb = 'proxy'\n", "storage.s3.web: expected one of 'redirect', 'stream'"),
        (
            "[storage]\nmedia_backend = 's3'\n[storage.s3]\nbucket = 'b'\npresign_expiry = 0\n",
            "storage.s3.presign_expiry: expected 1 to 604800 seconds, got 0",
        ),
        (
            "[storage]\nmedia_backend = 's3'\n[storage.s3]\nbucket = 'b'\n"
            "endpoint_url = 'minio:9000'\n",
            "storage.s3.endpoint_url: expected an http:// or https:// URL",
        ),
        ("[archive]\nworker_id = 'a b'\n", "archive.worker_id: expected 1 to 128 printable"),
        ("[archive]\nmax_channels = -1\n", "archive.max_channels: expected 0 (no limit) or more"),
        ("[archive]\nlease_duration = 1\n", "archive.lease_duration: expected at least 2"),
        (
            "[archive]\nlease_duration = 30\nlease_renew_interval = 20\n",
            "archive.lease_renew_interval: expected 1 to 15 seconds (at most half",
        ),
        ('[export]\ntimezone = "Mars/Olympus"\n', 'export.timezone: expected "local"'),
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


def test_s3_credentials_come_from_the_environment_only() -> None:
    creds = aws_credentials({"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"})
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        "id",
        "secret",
        None,
    )
    assert "secret" not in repr(creds)
    with pytest.raises(ConfigError) as err:
        aws_credentials({"AWS_ACCESS_KEY_ID": "id"})
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set" in str(err.value)


def test_several_accounts_are_named_after_their_sessions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[storage]\ndata_dir = "d"\n[[telegram.accounts]]\n'
        'session = "a.session"\n[[telegram.accounts]]\nsession = "s/b.session"\n'
        'name = "bee"\n',
    )
    config = load_config(path, env={})
    data = (tmp_path / "conf" / "d").resolve()
    assert [(a.name, a.session) for a in config.accounts] == [
        ("a", data / "a.session"),
        ("bee", data / "s" / "b.session"),
    ]
    assert config.session_path == data / "a.session"
    assert config.only_account("bee").accounts == (config.accounts[1],)
    assert config.only_account("x.session").accounts[0].session == data / "x.session"


def test_one_session_is_one_account(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[telegram]\nsession = "me.session"\n'), env={})
    assert [a.name for a in config.accounts] == ["me"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[telegram]\nsession = "x.session"\naccounts = [{ session = "a.session" }]\n',
            "telegram.session and telegram.accounts are both set",
        ),
        (
            '[telegram]\naccounts = [{ session = "a.session" }, { session = "b/a.session" }]\n',
            "telegram.accounts[1].name: 'a' names two accounts",
        ),
        (
            '[telegram]\naccounts = [{ session = "a.session" }, { session = "a.session", '
            'name = "b" }]\n',
            "telegram.accounts[1].session: a.session is used by two accounts",
        ),
        ('[telegram]\naccounts = [{ name = "a" }]\n', "telegram.accounts[0].session: missing"),
        (
            '[telegram]\naccounts = [{ session = "a.session", name = "two words" }]\n',
            "telegram.accounts[0].name: expected 1 to 128 printable characters",
        ),
    ],
)
def test_bad_accounts_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), env={})
    assert message in str(caught.value) and "\n" not in str(caught.value)
