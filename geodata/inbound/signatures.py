"""How each gateway signs its webhooks, checked in constant time (pure functions).

* WhatsApp Cloud API (Meta): ``X-Hub-Signature-256: sha256=<hex>``, HMAC-SHA256 of the raw
  body with the app secret.
* Twilio: ``X-Twilio-Signature``, base64 of HMAC-SHA1 with the account's auth token over the
  full URL Twilio called followed by every POST parameter, sorted by name, as name + value
  (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
* Flow webhooks (RapidPro / TextIt "Call webhook" actions): ``X-Yaku-Signature: sha256=<hex>``,
  HMAC-SHA256 of the raw body with a shared secret (set as a header of the flow's action).

Every check returns False for a missing, malformed or wrong signature, and for an unset secret:
a route whose secret is not configured accepts nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def _hex_sha256_matches(secret: str | None, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())


def whatsapp_signature_valid(app_secret: str | None, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256`` must be ``sha256=`` and the hex HMAC of the raw body."""
    if header is None or not header.strip().lower().startswith("sha256="):
        return False
    return _hex_sha256_matches(app_secret, body, header)


def flow_signature_valid(secret: str | None, body: bytes, header: str | None) -> bool:
    """``X-Yaku-Signature``: the hex HMAC-SHA256 of the raw body (``sha256=`` optional)."""
    return _hex_sha256_matches(secret, body, header)


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """What Twilio sends for a form POST to ``url`` with ``params``."""
    data = url + "".join(f"{name}{value}" for name, value in sorted(params))
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def twilio_signature_valid(
    auth_token: str | None, url: str, params: Iterable[tuple[str, str]], header: str | None
) -> bool:
    if not auth_token or not header:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), header.strip().encode())
