"""Checks of a loaded config's values that its types cannot express: ranges, URLs, media kinds,
lease timing, poll budgets. Each failure is one ConfigError naming the file, the key and what
is expected."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archiver.config_accounts import check_accounts, check_worker_id
from archiver.errors import ConfigError
from archiver.exporters.tdesktop_fields import export_zone

if TYPE_CHECKING:
    from archiver.config import ArchiveConfig, Config, LiveConfig, S3Config, WebPreviewConfig

MEDIA_KINDS = ("photo", "video", "gif", "round", "voice", "audio", "document", "sticker")
"""Kinds of downloadable media; ``archive.media_kinds`` picks from these."""


def _check_s3(s3: S3Config, where: str) -> None:
    if not s3.bucket.strip():
        raise ConfigError(
            f'{where}: storage.s3.bucket: missing (required when storage.media_backend = "s3")'
        )
    if s3.endpoint_url and not s3.endpoint_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: storage.s3.endpoint_url: expected an http:// or https:// URL, "
            f"got {s3.endpoint_url!r}"
        )
    if not 1 <= s3.presign_expiry <= 604800:
        raise ConfigError(
            f"{where}: storage.s3.presign_expiry: expected 1 to 604800 seconds, "
            f"got {s3.presign_expiry}"
        )


def check_values(config: Config, source: Path | None) -> None:
    """Check what the types alone cannot (ranges, URLs, known names); raises ConfigError
    naming the file, the key and what is expected."""
    where = str(source) if source else "config"
    if config.storage.media_backend == "s3":
        _check_s3(config.storage.s3, where)
    kinds = [("archive.media_kinds", config.archive.media_kinds)]
    kinds += [
        (f"channels[{i}].media_kinds", ch.media_kinds)
        for i, ch in enumerate(config.channels)
        if ch.media_kinds is not None
    ]
    for key, values in kinds:
        for kind in values:
            if kind not in MEDIA_KINDS:
                raise ConfigError(
                    f"{where}: {key}: unknown media kind {kind!r} "
                    f"(expected some of {', '.join(MEDIA_KINDS)})"
                )
    _check_web_preview(config.web_preview, where)
    positive = {
        "web.port": config.web.port,
        "archive.concurrency": config.archive.concurrency,
        "archive.erasure_confirmations": config.archive.erasure_confirmations,
        "media.parallel_files": config.media.parallel_files,
        "media.parallel_parts": config.media.parallel_parts,
    }
    for key, value in positive.items():
        if value < 1:
            raise ConfigError(f"{where}: {key}: expected a positive integer, got {value}")
    _check_leases(config.archive, where)
    _check_live(config.live, where)
    check_accounts(config, where)
    if config.web.port > 65535:
        raise ConfigError(f"{where}: web.port: expected a port number up to 65535")
    try:
        export_zone(config.export.timezone)
    except ValueError:
        raise ConfigError(
            f'{where}: export.timezone: expected "local", "UTC", a zone name such as '
            f'"Europe/Kyiv" or an offset such as "+03:00", got {config.export.timezone!r}'
        ) from None
    for i, ch in enumerate(config.channels):
        if not ch.ref.strip():
            raise ConfigError(f"{where}: channels[{i}].ref: must name a channel (@name or link)")


def _check_web_preview(preview: WebPreviewConfig, where: str) -> None:
    if not preview.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: web_preview.base_url: expected an http:// or https:// URL, "
            f"got {preview.base_url!r}"
        )
    if preview.rate <= 0:
        raise ConfigError(f"{where}: web_preview.rate: expected requests a second above 0")
    if preview.timeout <= 0:
        raise ConfigError(f"{where}: web_preview.timeout: expected seconds above 0")


def _check_leases(archive: ArchiveConfig, where: str) -> None:
    if archive.worker_id:
        check_worker_id(archive.worker_id, f"{where}: archive.worker_id")
    if archive.max_channels < 0:
        raise ConfigError(
            f"{where}: archive.max_channels: expected 0 (no limit) or more, "
            f"got {archive.max_channels}"
        )
    if archive.lease_duration < 2:
        raise ConfigError(
            f"{where}: archive.lease_duration: expected at least 2 seconds, "
            f"got {archive.lease_duration}"
        )
    if not 1 <= archive.lease_renew_interval <= archive.lease_duration // 2:
        raise ConfigError(
            f"{where}: archive.lease_renew_interval: expected 1 to {archive.lease_duration // 2} "
            f"seconds (at most half of archive.lease_duration, so that leases are renewed well "
            f"before they expire), got {archive.lease_renew_interval}"
        )


def _check_live(live: LiveConfig, where: str) -> None:
    if live.poll_budget < 1:
        raise ConfigError(
            f"{where}: live.poll_budget: expected at least 1 request per minute, "
            f"got {live.poll_budget}"
        )
    if not 1 <= live.min_poll_interval <= live.max_poll_interval:
        raise ConfigError(
            f"{where}: live.min_poll_interval: expected 1 to live.max_poll_interval "
            f"({live.max_poll_interval}) seconds, got {live.min_poll_interval}"
        )
