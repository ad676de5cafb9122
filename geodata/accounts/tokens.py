"""Secrets handed to people or programs: random, shown once, stored only as digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_numeric_code(digits: int = 6) -> str:
    """A code to read on a basic phone and type back."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def keyed_digest(key: str, *parts: object) -> str:
    """HMAC-SHA256 of ``parts`` under ``key``: for secrets too short to store as a plain digest
    (a six-digit code is found from its SHA-256 in a moment; without the key it is not)."""
    message = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
