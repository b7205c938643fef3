"""``tgmirror verify | evidence | verify-bundle``: check the archive against its capture log,
write a post's evidence bundle, check a bundle offline."""

from __future__ import annotations

from contextlib import aclosing
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.channel_refs import parse_ref
from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.cli.timestamps import trusted_roots
from archiver.errors import ChannelRefError, EvidenceError
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.bundle import build_bundle
from archiver.evidence.bundle_check import check_bundle
from archiver.evidence.bundle_source import bundle_parts
from archiver.evidence.timestamps import check_timestamps, load_roots
from archiver.evidence.verify import VerifyReport, verify_archive
from archiver.media import MediaStore, open_media_store
from archiver.store.channels import find_channel


@app.command()
def verify(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="Do not hash the media files.")] = False,
) -> None:
    """Recompute the capture log from the database and media files; check the signed heads."""
    config = get_config(ctx)

    async def go() -> VerifyReport:
        key = existing_public_key(config.storage.data_dir)
        async with aclosing(open_media_store(config)) as media, migrated_engine(config) as engine:
            report = await verify_archive(engine, media, key, hash_files=not quick)
            report.problems.extend(await check_timestamps(engine, trusted_roots(config)))
            return report

    report = run(go())
    for line in report.problems:
        console.print(f"[red]problem:[/red] {line}", highlight=False)
    for line in report.notes:
        console.print(f"note: {line}", highlight=False)
    console.print(
        f"Verified {report.captures} captures, {report.heads} signed heads, "
        f"{report.files} media files: {len(report.problems)} problems."
    )
    if not report.ok:
        raise typer.Exit(1)


def _post_ref(text: str) -> tuple[str, int]:
    """Split ``REF/ID`` (``@name/12``, ``t.me/name/12``, ``1234567/12``) into ref and post id."""
    ref, _, post = text.rstrip("/").rpartition("/")
    if not ref or not post.isdigit():
        raise ChannelRefError(f"{text!r}: expected CHANNEL/POST_ID, e.g. @name/12 or t.me/name/12")
    parsed = parse_ref(ref)
    return str(parsed.channel_id or parsed.username), int(post)


async def _bundle(
    engine: AsyncEngine,
    media: MediaStore,
    data_dir: Path,
    key: str,
    msg_id: int,
    roots: list[x509.Certificate],
) -> bytes:
    async with engine.connect() as conn:
        channel = await find_channel(conn, key)
        if channel is None:
            raise ChannelRefError(f"{key!r}: no such channel in the archive")
        parts = await bundle_parts(conn, media, data_dir, channel.id, msg_id, tsa_roots=roots)
    return build_bundle(parts)


@app.command()
def evidence(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="The post: CHANNEL/ID, e.g. @name/12.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The bundle to write (.zip).")],
) -> None:
    """Write a post's evidence bundle: its captures, files, proofs, signed head and key."""
    config = get_config(ctx)
    key, msg_id = _post_ref(post)
    roots = trusted_roots(config)

    async def go() -> bytes:
        async with aclosing(open_media_store(config)) as media, migrated_engine(config) as engine:
            return await _bundle(engine, media, config.storage.data_dir, key, msg_id, roots)

    data = run(go())
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise EvidenceError(f"{out}: cannot write the bundle: {exc.strerror}") from exc
    console.print(f"Wrote {out} ({len(data):,} bytes).")


@app.command("verify-bundle")
def verify_bundle(
    bundle: Annotated[Path, typer.Argument(help="An evidence bundle (.zip).")],
    tsa_root: Annotated[
        list[Path] | None,
        typer.Option(
            "--tsa-root",
            help="A TSA root certificate (PEM) to trust instead of the bundle's tsa-roots.pem.",
        ),
    ] = None,
) -> None:
    """Check an evidence bundle offline: signature, inclusion proofs, files, time-stamps and
    witness cosignatures."""
    try:
        roots = load_roots(tuple(str(p) for p in tsa_root)) if tsa_root else None
    except (OSError, ValueError) as exc:
        raise EvidenceError(
            f"--tsa-root: cannot read a PEM certificate ({exc}); fix the path"
        ) from None
    report = check_bundle(bundle, roots)
    for line in report.timestamps:
        console.print(f"time-stamped: {line}", highlight=False)
    for line in report.witnesses:
        console.print(f"cosigned by witness key: {line}", highlight=False)
    for line in report.problems:
        console.print(f"[red]problem:[/red] {line}", highlight=False)
    console.print(
        f"Post {report.msg_id} of channel {report.channel_id}: {report.captures} captures, "
        f"{report.files} files, under a head of {report.tree_size} captures signed by key "
        f"{report.key_id}: {len(report.problems)} problems.",
        highlight=False,
    )
    if report.problems:
        raise typer.Exit(1)
