"""RFC 3161 trusted time-stamps of signed tree heads, from the authorities in
``evidence.tsa_urls``.

What is stamped is the head's signed message (``heads.head_message``): the token's message
imprint is its SHA-256, so ``openssl ts -verify -data head.json -in token.tsr -CAfile
root.pem`` checks a token by hand. Tokens are requested over HTTP (``application/
timestamp-query``) with a nonce and the TSA certificate included, and checked with
``rfc3161-client`` (the Sigstore project's RFC 3161 client, on the local mirror): the
signature, the certificate chain to a root in ``evidence.tsa_roots``, the nonce and the
imprint.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
from cryptography import x509
from rfc3161_client import (
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.evidence.heads import head_message
from archiver.store.evidence_log import HeadRow, all_heads
from archiver.store.evidence_timestamps import (
    TimestampRow,
    add_timestamp,
    all_timestamps,
    heads_without_timestamp,
)

log = logging.getLogger(__name__)
QUERY_HEADERS = {"Content-Type": "application/timestamp-query"}
TSA_TIMEOUT = 30.0
"""Seconds to wait for a TSA's answer."""


class TimestampError(Exception):
    """A TSA could not be reached or answered something that is not a valid token."""


def signed_message(head: HeadRow) -> bytes:
    """The bytes a head's time-stamp covers (the head's signed message)."""
    return head_message(head.tree_size, head.root_hash, head.signed_at, head.key_id)


async def request_token(client: httpx.AsyncClient, url: str, message: bytes) -> bytes:
    """Ask the TSA at ``url`` to stamp ``message``; the DER TimeStampResp, checked to answer
    this request (status granted, same imprint and nonce)."""
    request = (
        TimestampRequestBuilder()
        .data(message)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        answer = await client.post(url, content=request.as_bytes(), headers=QUERY_HEADERS)
    except httpx.HTTPError as exc:
        raise TimestampError(f"{url}: cannot reach the time-stamping authority: {exc}") from exc
    if answer.status_code != 200:
        raise TimestampError(f"{url}: the time-stamping authority answered {answer.status_code}")
    try:
        response = decode_timestamp_response(answer.content)
    except ValueError as exc:
        raise TimestampError(f"{url}: not a time-stamp response: {exc}") from exc
    if response.status not in (0, 1):
        raise TimestampError(f"{url}: the request was refused (status {response.status})")
    info = response.tst_info
    if info.message_imprint.message != request.message_imprint.message or (
        info.nonce != request.nonce
    ):
        raise TimestampError(f"{url}: the token does not answer this request")
    return answer.content


def load_roots(paths: tuple[str, ...]) -> list[x509.Certificate]:
    """The trusted TSA root certificates (PEM files, several certificates each allowed)."""
    roots: list[x509.Certificate] = []
    for path in paths:
        roots.extend(x509.load_pem_x509_certificates(Path(path).expanduser().read_bytes()))
    return roots


def token_problem(token: bytes, message: bytes, roots: list[x509.Certificate]) -> str | None:
    """None when ``token`` is a valid time-stamp of ``message`` by a TSA chaining to one of
    ``roots``; else what is wrong."""
    try:
        response: TimeStampResponse = decode_timestamp_response(token)
    except ValueError as exc:
        return f"the token cannot be read ({exc})"
    if not roots:
        return "no trusted TSA root (evidence.tsa_roots) to check it against"
    reasons = []
    for root in roots:
        try:
            verifier = VerifierBuilder().add_root_certificate(root).build()
            if verifier.verify_message(response, message):
                return None
        except VerificationError as exc:
            reasons.append(str(exc))
    return f"the token does not verify: {'; '.join(reasons) or 'signature'}"


async def timestamp_heads(
    engine: AsyncEngine, tsa_urls: tuple[str, ...]
) -> tuple[list[TimestampRow], list[str]]:
    """Stamp every signed head that lacks a token from one of ``tsa_urls``; returns the new
    tokens and one line per authority that failed (the others still stamp)."""
    made: list[TimestampRow] = []
    failures: list[str] = []
    async with engine.connect() as conn:
        heads = {h.tree_size: h for h in await all_heads(conn)}
        missing = {url: await heads_without_timestamp(conn, url) for url in tsa_urls}
    async with httpx.AsyncClient(timeout=TSA_TIMEOUT) as client:
        for url, sizes in missing.items():
            for size in sizes:
                try:
                    token = await request_token(client, url, signed_message(heads[size]))
                except TimestampError as exc:
                    failures.append(str(exc))
                    break
                gen = decode_timestamp_response(token).tst_info.gen_time
                row = TimestampRow(size, url, token, int(gen.timestamp()))
                async with engine.begin() as conn:
                    await add_timestamp(conn, row)
                made.append(row)
    return made, failures


async def check_timestamps(engine: AsyncEngine, roots: list[x509.Certificate]) -> list[str]:
    """Problems of the stored tokens (for ``tgmirror verify``): each must stamp its head's
    signed message and verify to a trusted root. Empty when all are good."""
    async with engine.connect() as conn:
        heads = {h.tree_size: h for h in await all_heads(conn)}
        rows = await all_timestamps(conn)
    problems = []
    for row in rows:
        name = f"time-stamp of the signed head of {row.tree_size} captures from {row.tsa_url}"
        head = heads.get(row.tree_size)
        if head is None:
            problems.append(f"{name}: that head is no longer stored")
            continue
        problem = token_problem(row.token, signed_message(head), roots)
        if problem is not None:
            problems.append(f"{name}: {problem}")
    return problems


async def keep_timestamping(
    engine: AsyncEngine, tsa_urls: tuple[str, ...], interval: float, stopping: asyncio.Event
) -> None:
    """Stamp new heads every ``interval`` seconds until ``stopping`` is set (``tgmirror run``);
    an unreachable TSA is logged and tried again next round."""
    while not stopping.is_set():
        made, failures = await timestamp_heads(engine, tsa_urls)
        for line in failures:
            log.warning("time-stamp: %s", line)
        if made:
            log.info("stored %d time-stamp tokens", len(made))
        try:
            await asyncio.wait_for(stopping.wait(), timeout=interval)
        except TimeoutError:
            continue
