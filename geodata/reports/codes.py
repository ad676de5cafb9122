"""Tracking codes, content hashes and reporter fingerprints."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import orjson

from geodata.settings import get_settings

# No 0/O, 1/I: codes are read out over the phone and typed on cheap keyboards.
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8


def new_tracking_code() -> str:
    # 256 is a multiple of 32, so ``byte % 32`` is uniform over the alphabet.
    return "".join(TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(TRACKING_LENGTH))


def normalize_tracking_code(value: str) -> str:
    """Upper case without separators, as people type it back."""
    return value.strip().upper().replace("-", "").replace(" ", "")


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the submitted content in a canonical form (sorted keys)."""
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def reporter_fingerprint(identity: str | None) -> str | None:
    """Salted hash of a device id, contact or address: enough to rate-limit, not to identify."""
    if not identity:
        return None
    salt = get_settings().fingerprint_salt
    return hashlib.sha256(f"{salt}:{identity.strip().lower()}".encode()).hexdigest()
