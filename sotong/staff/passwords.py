"""Password hashing behind a small, replaceable interface.

Argon2id (argon2-cffi, its RFC 9106 low-memory profile) by default. Korean public
bodies may require KCMVP-validated primitives: ``SOTONG_PASSWORD_HASHER=pbkdf2`` switches
new hashes to stdlib PBKDF2-HMAC-SHA256. Either way, stored hashes of the other kind
still verify (the prefix says which) and are upgraded at the next good login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from typing import Protocol

HASHER_ENV = "SOTONG_PASSWORD_HASHER"
PBKDF2_PREFIX = "pbkdf2_sha256$"
PBKDF2_ITERATIONS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256


class Hasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> bool: ...

    def needs_rehash(self, stored: str) -> bool: ...


class Argon2Hasher:
    def __init__(self) -> None:
        from argon2 import PasswordHasher  # imported here: the pbkdf2 fallback must work without it

        self._ph = PasswordHasher()

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return self._ph.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return not stored.startswith("$argon2") or self._ph.check_needs_rehash(stored)


class Pbkdf2Hasher:
    def __init__(self, iterations: int = PBKDF2_ITERATIONS) -> None:
        self.iterations = iterations

    def _derive(self, password: str, salt: bytes, iterations: int) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._derive(password, salt, self.iterations)
        b64 = base64.b64encode
        return f"{PBKDF2_PREFIX}{self.iterations}${b64(salt).decode()}${b64(digest).decode()}"

    def verify(self, stored: str, password: str) -> bool:
        try:
            iterations, salt, digest = stored[len(PBKDF2_PREFIX) :].split("$")
            expected = base64.b64decode(digest)
            actual = self._derive(password, base64.b64decode(salt), int(iterations))
        except ValueError:
            return False
        return hmac.compare_digest(actual, expected)

    def needs_rehash(self, stored: str) -> bool:
        return not stored.startswith(f"{PBKDF2_PREFIX}{self.iterations}$")


def hasher_from_env() -> Hasher:
    """The hasher for new passwords: SOTONG_PASSWORD_HASHER=argon2 (default) or pbkdf2."""
    name = os.environ.get(HASHER_ENV, "").strip().lower() or "argon2"
    if name == "argon2":
        return Argon2Hasher()
    if name == "pbkdf2":
        return Pbkdf2Hasher()
    raise ValueError(f"{HASHER_ENV} must be argon2 or pbkdf2, not {name!r}")


def verify(stored: str, password: str) -> bool:
    """Check a password against a stored hash of either kind."""
    hasher: Hasher = Pbkdf2Hasher() if stored.startswith(PBKDF2_PREFIX) else Argon2Hasher()
    return hasher.verify(stored, password)


# Verified against when the username is unknown, so both answers take the same time.
_DUMMY: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    hasher = hasher_from_env()
    key = type(hasher).__name__
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_urlsafe(16))
    hasher.verify(_DUMMY[key], password)
