"""Load ``tgmirror.toml`` into frozen dataclasses, strictly.

Lookup order: an explicit path (``tgmirror --config PATH``), else ``$TGMIRROR_CONFIG``, else
``./tgmirror.toml``, else built-in defaults. Relative paths in a file are relative to that file.
Unknown keys and wrong types are errors naming the file and the key: a typo must never be
silently ignored, since it would mean archiving something other than what the user asked for.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from archiver.config_accounts import Account, AccountConfig, account_name, check_one_way_to_sign_in
from archiver.config_checks import MEDIA_KINDS, check_values
from archiver.config_toml import build_dataclass
from archiver.errors import ConfigError

DEFAULT_CONFIG_NAME = "tgmirror.toml"


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram: API credentials and the session file(s)."""

    api_id: int = 0
    api_hash: str = ""
    session: Path = Path("tgmirror.session")
    """Session file; relative paths are inside ``storage.data_dir``."""
    accounts: tuple[AccountConfig, ...] = ()
    """Several accounts for one process, instead of ``session``: channels are spread over
    them and move to another when one is rate-limited, banned from a channel or signed out."""


@dataclass(frozen=True)
class S3Config:
    """An S3-compatible bucket for media (``storage.media_backend = "s3"``).

    Credentials come from ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and, if set,
    ``AWS_SESSION_TOKEN`` in the environment, never from this file.
    """

    bucket: str = ""
    prefix: str = ""
    """Folder inside the bucket (e.g. ``tgmirror/media``); empty means the bucket's root."""
    endpoint_url: str = ""
    """Empty means AWS; set it for MinIO, Ceph, R2, Backblaze and other S3-compatible servers."""
    region: str = "us-east-1"
    web: Literal["redirect", "stream"] = "redirect"
    """How the mirror serves files: a redirect to a presigned URL, or streamed through it."""
    presign_expiry: int = 3600
    """Seconds a presigned URL stays valid (1 to 604800, S3's limit of seven days)."""


@dataclass(frozen=True)
class AwsCredentials:
    """S3 credentials, read from the standard environment variables by ``aws_credentials``."""

    access_key_id: str
    secret_access_key: str = dataclasses.field(repr=False)
    session_token: str | None = dataclasses.field(default=None, repr=False)


@dataclass(frozen=True)
class StorageConfig:
    """Where the archive lives."""

    data_dir: Path = Path("tgmirror-data")
    database: str = ""
    """SQLAlchemy URL; empty means ``sqlite+aiosqlite:///<data_dir>/tgmirror.db``."""
    media_dir: Path = Path("media")
    """Content-addressed media store; relative paths are inside ``data_dir``."""
    media_backend: Literal["local", "s3"] = "local"
    """Where media files go: ``media_dir`` on this machine, or the bucket of ``[storage.s3]``."""
    s3: S3Config = field(default_factory=S3Config)


@dataclass(frozen=True)
class ArchiveConfig:
    """What to archive and how hard to push."""

    media_kinds: tuple[str, ...] = MEDIA_KINDS
    max_file_size_mb: int = 50
    poll_interval: int = 300
    concurrency: int = 4
    history_page_delay: float = 0.0
    takeout: Literal["auto", "off"] = "off"
    """``auto``: backfill reads history in a takeout session (Telegram's data export, with its
    own larger limits); Telegram may first ask the user to confirm it on another device."""
    reconcile_interval: int = 3600
    erasure_confirmations: int = 3
    erasure_check_interval: int = 1800
    comments: bool = False
    worker_id: str = ""
    """This worker's name among several ``tgmirror run`` on one database; empty means
    ``<hostname>-<pid>``."""
    max_channels: int = 0
    """Most channels this worker archives at once; 0 means no limit."""
    lease_duration: int = 60
    """Seconds a channel's lease lasts unless renewed; a dead worker's channels wait this long."""
    lease_renew_interval: int = 20
    """Seconds between renewals of this worker's leases (and attempts to take free ones)."""
    source: Literal["telegram", "web", "both"] = "telegram"
    """Where channels are read by default: Telegram (an account), t.me/s (no account), both."""


@dataclass(frozen=True)
class LiveConfig:
    """How new posts, edits and deletions are followed once a channel is archived."""

    follow: Literal["join", "poll"] = "poll"
    """``poll``: ask Telegram for each channel's changes (updates.getChannelDifference) on an
    interval, without joining; ``join``: join the channel (its admins see the account among
    its subscribers) and get them pushed, with a catch-up every ``archive.poll_interval``."""
    poll_budget: int = 30
    """Requests per minute per account that polling may spend, shared by its polled channels."""
    min_poll_interval: int = 60
    """Seconds between two polls of the busiest channel, at least."""
    max_poll_interval: int = 1800
    """Seconds between two polls of the quietest channel, at most (unless the budget is too
    small for that many channels)."""


@dataclass(frozen=True)
class MediaConfig:
    """How media files are downloaded: in 1 MiB parts, several at once, resumable."""

    parallel_files: int = 8
    """Files downloaded at the same time by this worker (all channels together)."""
    parallel_parts: int = 2
    """Parts of one file requested at the same time; a killed download fetches at most this
    many parts (MiB) again."""


@dataclass(frozen=True)
class WebConfig:
    """The public mirror."""

    host: str = "127.0.0.1"
    port: int = 8000
    publish: Literal["erased", "all"] = "erased"
    admin_token: str = ""
    base_url: str = ""
    language: Literal["en", "ar", "fa", "ru", "uk"] = "en"


@dataclass(frozen=True)
class ExportConfig:
    """``tgmirror export``: how Telegram Desktop's format is written."""

    timezone: str = "local"
    """Zone of Desktop's local ``date`` keys: "local" (this machine's, as Desktop does), "UTC",
    an IANA name ("Europe/Kyiv") or an offset ("+03:00"); ``date_unixtime`` is always UTC."""


@dataclass(frozen=True)
class EvidenceConfig:
    """The tamper-evident capture log and its signed heads (docs/evidence.md)."""

    enabled: bool = True
    """Append every capture to the log; off, the archive keeps no evidence of later captures."""
    head_interval: int = 3600
    """Most seconds between signed tree heads while ``tgmirror run`` works."""
    tsa_urls: tuple[str, ...] = ()
    """RFC 3161 time-stamping authorities that stamp each signed head (evidence.timestamps)."""
    tsa_roots: tuple[str, ...] = ()
    """PEM files of the TSA root certificates ``tgmirror verify`` trusts for those tokens."""
    witness_urls: tuple[str, ...] = ()
    """Other mirrors ``tgmirror run`` witnesses (``tgmirror witness URL`` on a schedule)."""
    witness_interval: int = 3600
    """Seconds between witnessing rounds of ``witness_urls``."""


@dataclass(frozen=True)
class WebPreviewConfig:
    """Telegram's public web preview (t.me/s), the source that needs no account."""

    base_url: str = "https://t.me"
    rate: float = 0.5
    """Requests a second to one host, at most (Retry-After answers slow it further)."""
    timeout: float = 20.0
    """Seconds to wait for one answer; a slower one is a fault (retried, never evidence)."""


@dataclass(frozen=True)
class SimulatorConfig:
    """Point tgmirror at a simulated Telegram (demo and tests) instead of the network."""

    world: Path | None = None


@dataclass(frozen=True)
class ChannelConfig:
    """One followed channel and its policies; ``None`` means: as the global setting says."""

    ref: str
    follow: Literal["default", "join", "poll"] = "default"
    """``default`` follows as ``live.follow`` says."""
    publish: Literal["default", "always", "never"] = "default"
    media_kinds: tuple[str, ...] | None = None
    max_file_size_mb: int | None = None
    source: Literal["telegram", "web", "both"] | None = None


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``source`` is the file it came from, if any."""

    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    live: LiveConfig = field(default_factory=LiveConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    web: WebConfig = field(default_factory=WebConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    simulator: SimulatorConfig = field(default_factory=SimulatorConfig)
    web_preview: WebPreviewConfig = field(default_factory=WebPreviewConfig)
    channels: tuple[ChannelConfig, ...] = ()
    source: Path | None = None

    @property
    def database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.storage.database:
            return self.storage.database
        return f"sqlite+aiosqlite:///{self.storage.data_dir / 'tgmirror.db'}"

    def channel_source(self, entry: ChannelConfig | None) -> str:
        """The source of a configured channel: its own, else ``archive.source``."""
        return (entry.source if entry else None) or self.archive.source

    @property
    def needs_telegram(self) -> bool:
        """False when every channel is read from t.me/s alone: no account, no login."""
        if not self.channels:
            return self.archive.source != "web"
        return any(self.channel_source(ch) != "web" for ch in self.channels)

    @property
    def media_dir(self) -> Path:
        return self.storage.data_dir / self.storage.media_dir

    @property
    def session_path(self) -> Path:
        """The session file of the first account."""
        return self.accounts[0].session

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The Telegram accounts to use: ``[[telegram.accounts]]``, else ``telegram.session``."""
        entries = self.telegram.accounts or (AccountConfig(self.telegram.session),)
        return tuple(
            Account(
                entry.name or account_name(entry.session), self.storage.data_dir / entry.session
            )
            for entry in entries
        )

    def only_account(self, session: Path | str) -> Config:
        """This config with one account: the one named ``session`` (``--session NAME``), else
        the session file at that path."""
        for account in self.accounts:
            if account.name == str(session):
                chosen = AccountConfig(account.session, account.name)
                break
        else:
            chosen = AccountConfig(Path(session))
        telegram = dataclasses.replace(self.telegram, accounts=(chosen,))
        return dataclasses.replace(self, telegram=telegram)


def find_config_path(explicit: Path | None = None) -> Path | None:
    """Return the config file to use, following the documented lookup order."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such config file (check the --config path)")
        return explicit
    env = os.environ.get("TGMIRROR_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file (check $TGMIRROR_CONFIG)")
        return path
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(path: Path | None = None, *, env: typing.Mapping[str, str] | None = None) -> Config:
    """Load the config from ``path`` (or the lookup order), apply env secrets, resolve paths."""
    env = os.environ if env is None else env
    source = find_config_path(path)
    data: dict[str, Any] = {}
    if source is not None:
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: cannot read: {exc}") from exc
    where = str(source) if source else "defaults"
    check_one_way_to_sign_in(data, where)
    config = build_dataclass(Config, data, where, skip={"source"})
    base = source.parent if source else Path.cwd()
    return _finish(config, base.resolve(), source, env)


def config_from_dict(data: dict[str, Any], base: Path, where: str = "config") -> Config:
    """Build a Config from an already parsed mapping; used by the demo and tests."""
    check_one_way_to_sign_in(data, where)
    config = build_dataclass(Config, data, where, skip={"source"})
    return _finish(config, base.resolve(), None, {})


def _finish(
    config: Config, base: Path, source: Path | None, env: typing.Mapping[str, str]
) -> Config:
    telegram = config.telegram
    if env.get("TGMIRROR_API_ID"):
        try:
            telegram = dataclasses.replace(telegram, api_id=int(env["TGMIRROR_API_ID"]))
        except ValueError:
            raise ConfigError(
                f"TGMIRROR_API_ID: expected an integer, got {env['TGMIRROR_API_ID']!r}"
            ) from None
    if env.get("TGMIRROR_API_HASH"):
        telegram = dataclasses.replace(telegram, api_hash=env["TGMIRROR_API_HASH"])
    storage = dataclasses.replace(config.storage, data_dir=base / config.storage.data_dir)
    simulator = config.simulator
    if simulator.world is not None:
        simulator = dataclasses.replace(simulator, world=base / simulator.world)
    check_values(config, source)
    return dataclasses.replace(
        config, telegram=telegram, storage=storage, simulator=simulator, source=source
    )


def aws_credentials(env: typing.Mapping[str, str] | None = None) -> AwsCredentials:
    """S3 credentials from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (and the optional
    ``AWS_SESSION_TOKEN``); only these are read, so nothing ever probes the network for them."""
    env = os.environ if env is None else env
    key, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if not key or not secret:
        raise ConfigError(
            'storage.media_backend is "s3" but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are '
            "not both set: export the bucket's credentials in the environment"
        )
    return AwsCredentials(key, secret, env.get("AWS_SESSION_TOKEN") or None)
