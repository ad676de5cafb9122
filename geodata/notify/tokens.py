"""Signed tokens of the links in messages: confirm or end a subscription, answer "is it
fixed?". ``<id>.<HMAC-SHA256 of purpose and id>`` with ``settings.secret_key``: nothing to
store, any change is detected; the rows they point at say whether they are still of use."""

from __future__ import annotations

import base64
import hashlib
import hmac

from geodata.settings import get_settings

CONFIRM = "subscription.confirm"
UNSUBSCRIBE = "subscription.unsubscribe"
FOLLOWUP = "report.followup"
MAX_TOKEN = 80


def _mac(purpose: str, ident: int) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"{purpose}|{ident}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def sign(purpose: str, ident: int) -> str:
    return f"{ident}.{_mac(purpose, ident)}"


def verify(purpose: str, token: str) -> int | None:
    """The id a token was signed for, or None when it is malformed or tampered with."""
    if not token or len(token) > MAX_TOKEN:
        return None
    ident, _, mac = token.partition(".")
    if not ident.isdigit() or len(ident) > 18:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(purpose, int(ident)).encode()):
        return None
    return int(ident)
