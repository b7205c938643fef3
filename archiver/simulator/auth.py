"""The server side of login: the fixed login code and real SRP two-step verification.

The login code is always `LOGIN_CODE`. The 2FA password is the world's (`World.set_password`);
the SRP exchange is computed as Telegram does, so Telethon's `password.compute_check` verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field

from telethon import password as tl_password
from telethon.tl import types

LOGIN_CODE = "12345"
PHONE_CODE_HASH = "simulated-code-hash"

# Telegram's 2048-bit SRP prime, as Telethon checks it (with g = 3).
SRP_PRIME = bytes.fromhex(
    "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
    "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
    "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
    "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
    "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
    "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
    "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
    "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b"
)
SRP_G = 3
SALT1 = bytes.fromhex("5151515151515151")
SALT2 = bytes.fromhex("a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2")


def _sha256(*parts: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def _pad(number: int) -> bytes:
    return number.to_bytes(256, "big")


def _algo() -> types.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow:
    return types.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow(
        salt1=SALT1, salt2=SALT2, g=SRP_G, p=SRP_PRIME
    )


@dataclass
class SrpServer:
    """Holds the SRP secrets of one connection: the verifier per password and b per srp_id."""

    _verifiers: dict[str, int] = field(default_factory=dict)
    _pending: dict[int, tuple[int, bytes, str]] = field(default_factory=dict)

    def _verifier(self, password: str) -> int:
        if password not in self._verifiers:
            x = int.from_bytes(tl_password.compute_hash(_algo(), password), "big")
            self._verifiers[password] = pow(SRP_G, x, int.from_bytes(SRP_PRIME, "big"))
        return self._verifiers[password]

    def password_info(self, password: str | None) -> types.account.Password:
        """The account.Password answer: with SRP parameters when a password is set."""
        no_secure = types.SecurePasswordKdfAlgoUnknown()
        if password is None:
            return types.account.Password(
                new_algo=_algo(),
                new_secure_algo=no_secure,
                secure_random=os.urandom(32),
                has_password=False,
            )
        p = int.from_bytes(SRP_PRIME, "big")
        v = self._verifier(password)
        k = int.from_bytes(_sha256(SRP_PRIME, _pad(SRP_G)), "big")
        while True:
            b = int.from_bytes(os.urandom(256), "big")
            g_b = pow(SRP_G, b, p)
            big_b = (k * v + g_b) % p
            if tl_password.is_good_mod_exp_first(g_b, p) and tl_password.is_good_large(big_b, p):
                break
        srp_id = int.from_bytes(os.urandom(8), "big", signed=True)
        self._pending[srp_id] = (b, _pad(big_b), password)
        return types.account.Password(
            new_algo=_algo(),
            new_secure_algo=no_secure,
            secure_random=os.urandom(32),
            has_password=True,
            current_algo=_algo(),
            srp_B=_pad(big_b),
            srp_id=srp_id,
            hint="the simulator's password",
        )

    def check(self, srp: types.InputCheckPasswordSRP) -> bool:
        """Whether the client proved knowledge of the password for this srp_id (once only)."""
        pending = self._pending.pop(srp.srp_id, None)
        if pending is None:
            return False
        b, b_bytes, password = pending
        p = int.from_bytes(SRP_PRIME, "big")
        a = int.from_bytes(srp.A, "big")
        if not 0 < a < p:
            return False
        u = int.from_bytes(_sha256(_pad(a), b_bytes), "big")
        secret = pow(a * pow(self._verifier(password), u, p), b, p)
        key = _sha256(_pad(secret))
        hp, hg = _sha256(SRP_PRIME), _sha256(_pad(SRP_G))
        expected = _sha256(
            bytes(x ^ y for x, y in zip(hp, hg, strict=True)),
            _sha256(SALT1),
            _sha256(SALT2),
            _pad(a),
            b_bytes,
            key,
        )
        return hmac.compare_digest(expected, bytes(srp.M1))
