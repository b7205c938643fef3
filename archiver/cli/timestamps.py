"""``tgmirror timestamp``: get RFC 3161 time-stamps of the signed heads from the authorities
in ``evidence.tsa_urls`` (``tgmirror verify`` then checks them against ``evidence.tsa_roots``)."""

from __future__ import annotations

import typer
from cryptography import x509

from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.config import Config
from archiver.errors import EvidenceError
from archiver.evidence.timestamps import load_roots, timestamp_heads
from archiver.store.evidence_timestamps import TimestampRow


def trusted_roots(config: Config) -> list[x509.Certificate]:
    """The TSA roots of ``evidence.tsa_roots``; one clear line when a file is unusable."""
    try:
        return load_roots(config.evidence.tsa_roots)
    except (OSError, ValueError) as exc:
        raise EvidenceError(
            f"evidence.tsa_roots: cannot read a PEM certificate ({exc}); fix the path"
        ) from None


@app.command()
def timestamp(ctx: typer.Context) -> None:
    """Time-stamp every signed head not yet stamped by each TSA of evidence.tsa_urls."""
    config = get_config(ctx)
    if not config.evidence.tsa_urls:
        raise EvidenceError("no time-stamping authority: list some in evidence.tsa_urls")

    async def go() -> tuple[list[TimestampRow], list[str]]:
        async with migrated_engine(config) as engine:
            return await timestamp_heads(engine, config.evidence.tsa_urls)

    made, failures = run(go())
    for line in failures:
        console.print(f"[red]problem:[/red] {line}", highlight=False)
    console.print(f"Stored {len(made)} time-stamp tokens.")
    if failures:
        raise typer.Exit(1)
