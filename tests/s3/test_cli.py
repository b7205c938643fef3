"""The CLI on an S3-backed archive, as a user runs it: an archive run from a simulated world
into the bucket, ``check`` finding a lost and a corrupt object, repair + sync, backup, export,
and one clear line for missing credentials or a missing bucket."""

from __future__ import annotations

import hashlib
from pathlib import Path

import archive_sql
import pytest

from archiver.simulator import World
from archiver.simulator.media_files import mp4_minimal, png_gradient
from archiver.simulator.specs import Document, Photo


def _toml(settings: dict, world: Path, storage: str, web: str = "stream") -> str:
    """The config of an S3-backed archive; ``storage``: its data_dir and database lines."""
    s3 = settings["s3"]
    return (
        f'[simulator]\nworld = "{world}"\n'
        f'[storage]\n{storage}media_backend = "s3"\n'
        f'[storage.s3]\nbucket = "{s3["bucket"]}"\nprefix = "{s3["prefix"]}"\n'
        f'endpoint_url = "{s3["endpoint_url"]}"\nweb = "{web}"\n'
    )


def _object(s3_admin, bucket: str, key: str) -> bytes:
    return s3_admin.get_object(Bucket=bucket, Key=f"archive/media/{key}")["Body"].read()


def test_an_archive_run_stores_every_file_once_in_the_bucket(
    cli, cli_db, tmp_path, s3_env, s3_settings, s3_admin, bucket, bucket_versions
) -> None:
    world = World.create(tmp_path / "world.sqlite")
    pics = world.add_channel("pics", "Pics")
    photo = Photo(png_gradient(64, 48, seed=7))
    same = [world.post(pics, text=f"the same photo {i}", media=photo, push=False) for i in range(3)]
    world.post(pics, text="a clip", media=Document(mp4_minimal(1.5, 3), "video/mp4", "video"))
    world.post(pics, text="another photo", media=Photo(png_gradient(32, 32, seed=8)))
    world.close()
    storage = f'data_dir = "data"\n{cli_db.setting}'
    (tmp_path / "tgmirror.toml").write_text(
        _toml(s3_settings(), tmp_path / "world.sqlite", storage)
    )
    assert cli("db", "upgrade").returncode == 0
    assert cli("login", "--phone", "+15550000000", input="12345\n").returncode == 0
    assert cli("add", "@pics").returncode == 0
    result = cli("sync")
    assert result.returncode == 0, result.stderr
    assert "Unclosed" not in result.stderr  # the S3 client's connections were closed
    assert not (tmp_path / "data" / "media").exists()  # nothing went to the local store
    rows = archive_sql.rows(cli_db.url, "SELECT sha256, path, size FROM media_files ORDER BY path")
    photos = archive_sql.rows(
        cli_db.url,
        "SELECT DISTINCT mm.sha256 FROM message_media mm JOIN messages m ON m.id = mm.message_id"
        f" WHERE m.msg_id IN ({','.join(map(str, same))}) AND mm.status = 'stored'",
    )
    assert len(photos) == 1  # three posts, one file
    assert len(rows) == 4  # the shared photo, the clip and its thumbnail, the other photo
    assert bucket_versions() == [(f"archive/media/{path}", size) for _, path, size in rows]
    for sha, path, _ in rows:
        assert hashlib.sha256(_object(s3_admin, bucket, path)).hexdigest() == sha
    assert cli("sync").returncode == 0
    assert len(bucket_versions()) == len(rows)  # a second run uploads nothing again
    out = tmp_path / "export"
    exported = cli("export", "@pics", "--out", str(out), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    in_posts = archive_sql.value(cli_db.url, "SELECT count(DISTINCT sha256) FROM message_media")
    copies = list((out / "media").iterdir())
    assert len(copies) == in_posts
    for copy in copies:  # each named by the hash of the bytes it holds, read from the bucket
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == copy.name[:64]


async def test_check_finds_lost_and_corrupt_objects_and_repair_plus_sync_restores(
    cli, tmp_path, s3_archive, s3_settings, s3_admin, bucket, simulated_archive
) -> None:
    archive = await s3_archive()
    world = simulated_archive["root"] / "world.sqlite"
    (tmp_path / "tgmirror.toml").write_text(_toml(s3_settings(), world, archive["storage_toml"]))
    healthy = cli("check")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "0 problems" in healthy.stdout
    lost, corrupt = archive_sql.column(
        archive["config"].database_url, "SELECT path FROM media_files ORDER BY size DESC, path"
    )[:2]
    s3_admin.delete_object(Bucket=bucket, Key=f"archive/media/{lost}")
    data = _object(s3_admin, bucket, corrupt)
    s3_admin.put_object(Bucket=bucket, Key=f"archive/media/{corrupt}", Body=b"X" + data[1:])
    damaged = cli("check")
    assert damaged.returncode == 1
    assert f"media file missing: {lost}" in damaged.stdout
    assert f"media file is corrupt (sha256 differs): {corrupt}" in damaged.stdout
    assert "2 problems" in damaged.stdout
    repaired = cli("check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert repaired.stdout.count("repaired:") == 2
    synced = cli("sync")
    assert synced.returncode == 0, synced.stderr
    assert "Unclosed" not in synced.stderr + repaired.stderr
    again = cli("check")
    assert again.returncode == 0 and "0 problems" in again.stdout, again.stdout
    assert _object(s3_admin, bucket, corrupt) == data


@pytest.mark.sqlite_only  # `tgmirror backup` copies the SQLite file along with the media
async def test_backup_copies_the_bucket_into_a_local_tree(
    cli, tmp_path, s3_archive, s3_settings, simulated_archive
) -> None:
    archive = await s3_archive()
    world = simulated_archive["root"] / "world.sqlite"
    (tmp_path / "tgmirror.toml").write_text(_toml(s3_settings(), world, archive["storage_toml"]))
    result = cli("backup", str(tmp_path / "bk"), "--media")
    assert result.returncode == 0, result.stderr
    rows = archive_sql.rows(archive["config"].database_url, "SELECT sha256, path FROM media_files")
    assert f"Copied {len(rows)} media files" in result.stdout
    for sha, path in rows:
        copy = tmp_path / "bk" / "media" / path
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha
    again = cli("backup", str(tmp_path / "bk"), "--media")
    assert "Copied 0 media files" in again.stdout


def test_missing_credentials_or_bucket_is_one_line(cli, tmp_path, monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    conf = tmp_path / "tgmirror.toml"
    conf.write_text('[storage]\nmedia_backend = "s3"\n[storage.s3]\nbucket = "media"\n')
    result = cli("check")
    assert result.returncode == 1
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    conf.write_text('[storage]\nmedia_backend = "s3"\n')
    result = cli("check")
    assert result.returncode == 1
    assert "storage.s3.bucket: missing" in result.stderr
    assert "Traceback" not in result.stderr
