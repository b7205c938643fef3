"""The secret filter on real log records: message args, tracebacks, stacks, uvicorn's handlers."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

from archiver.config import config_from_dict
from archiver.logs import SECRETS, RedactSecrets, Secrets, protect_config, uvicorn_log_config
from archiver.telegram.client import protect_session

HASH = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def written():
    """Factory: a logger whose records go through the filter into a string buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.logs")
    logger.propagate = False
    logger.addHandler(handler)

    def make(*secrets: str | None, registry: Secrets | None = None):
        if registry is None:
            registry = Secrets()
            registry.add(*secrets)
        handler.addFilter(RedactSecrets(registry))
        return logger, buffer

    yield make
    logger.removeHandler(handler)
    logger.propagate = True


def test_secret_in_message_args_is_redacted(written) -> None:
    log, out = written(HASH)
    log.warning("connecting with api_hash=%s (%r)", HASH, {"hash": HASH})
    assert HASH not in out.getvalue()
    assert out.getvalue().count("[redacted]") == 2


def test_secret_in_an_exception_and_its_cause_is_redacted(written) -> None:
    log, out = written(HASH)
    try:
        try:
            raise KeyError(HASH)
        except KeyError as exc:
            raise RuntimeError(f"login failed for {HASH}") from exc
    except RuntimeError:
        log.exception("could not sign in")
    text = out.getvalue()
    assert HASH not in text
    assert "Traceback" in text and "RuntimeError: login failed for [redacted]" in text
    assert "KeyError: '[redacted]'" in text


def test_secret_in_a_stack_is_redacted(written) -> None:
    log, out = written(HASH)

    def deep(api_hash: str) -> None:
        log.error("here", stack_info=True)

    deep(HASH)
    assert HASH not in out.getvalue() and "Stack (most recent call last)" in out.getvalue()


def test_values_too_short_to_be_secret_are_not_redacted(written) -> None:
    log, out = written("x", "", None)
    log.warning("x marks the spot")
    assert out.getvalue() == "WARNING x marks the spot\n"


def test_session_auth_key_is_redacted_in_every_form(written) -> None:
    session = StringSession()
    session.set_dc(2, "149.154.167.51", 443)
    session.auth_key = AuthKey(bytes(range(256)))
    protect_session(session)
    key = session.auth_key.key
    log, out = written(registry=SECRETS)
    forms = [key.hex(), StringSession.save(session), repr(key)]
    log.warning("session %s / %s / %s", *forms)
    assert not any(form in out.getvalue() for form in (key.hex(), forms[1], repr(key)[2:-1]))


def test_config_secrets_are_registered(tmp_path, written) -> None:
    config = config_from_dict(
        {
            "telegram": {"api_id": 1, "api_hash": HASH},
            "web": {"admin_token": "admin-token-value"},
            "storage": {"database": "postgresql+asyncpg://tg:db-password-value@localhost/tg"},
        },
        tmp_path,
    )
    env = {
        "AWS_SECRET_ACCESS_KEY": "aws-secret-key-value",
        "AWS_SESSION_TOKEN": "aws-token-value",
        "PGPASSWORD": "pg-password-value",
    }
    protect_config(config, env)
    log, out = written(registry=SECRETS)
    log.warning("config: %s", config)
    log.warning("signing with %s, %s and %s", *env.values())
    text = out.getvalue()
    assert "[redacted]" in text
    secrets = (HASH, "admin-token-value", "db-password-value", *env.values())
    assert not any(s in text for s in secrets)


def test_uvicorn_handlers_redact_too(capsys) -> None:
    SECRETS.add(HASH)
    logging.config.dictConfig(uvicorn_log_config())
    try:
        logging.getLogger("uvicorn.error").error("bad request carrying %s", HASH)
    finally:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers.clear()
    err = capsys.readouterr().err
    assert "bad request carrying [redacted]" in err and HASH not in err
