"""Channels over HTTP (httpx): signed webhooks, WhatsApp through the Cloud API, SMS through a
configurable gateway. Each raises ``DeliveryFailure`` (transient for 5xx, 429 and network
errors; permanent for other refusals) so the ledger knows whether to try again."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from geodata.notify.base import DeliveryFailure, Message
from geodata.settings import Settings

SIGNATURE_HEADER = "X-Yaku-Signature"
TIMESTAMP_HEADER = "X-Yaku-Timestamp"
EVENT_HEADER = "X-Yaku-Event"
MAX_WHATSAPP_TEXT = 4096
MAX_TEMPLATE_PARAM = 1024


def _post(url: str, timeout: float, **kwargs: Any) -> httpx.Response:
    try:
        response = httpx.post(url, timeout=timeout, **kwargs)
    except httpx.HTTPError as error:
        raise DeliveryFailure(f"{type(error).__name__}: {error}", transient=True) from None
    if response.status_code >= 400:
        transient = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryFailure(
            f"HTTP {response.status_code}: {response.text[:200]}", transient=transient
        )
    return response


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``: a receiver recomputes it
    with the shared secret and refuses old timestamps (replays)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookChannel:
    """POSTs the notice as JSON to ``message.to`` with a timestamp and an HMAC signature."""

    name = "webhook"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def body(self, message: Message) -> bytes:
        payload = {
            "event": message.event_key,
            "subject": message.subject,
            "text": message.text,
            "language": message.language,
            "data": message.data or {},
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def send(self, message: Message) -> None:
        secret = self.settings.webhook_secret
        if not secret:
            raise DeliveryFailure("no webhook secret configured", transient=False)
        body = self.body(message)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
            EVENT_HEADER: message.event_key or "",
        }
        _post(message.to, self.settings.notify_http_timeout_seconds, content=body, headers=headers)


def whatsapp_payload(message: Message, language: str) -> dict[str, Any]:
    """The Cloud API's message object: free text, or (``message.template`` set: outside the
    24-hour window) an approved template with text parameters."""
    to = message.to.lstrip("+")
    if message.template is None:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": message.text[:MAX_WHATSAPP_TEXT]},
        }
    # Template parameters may not hold new lines, tabs or long runs of spaces.
    params = [" ".join(p.split())[:MAX_TEMPLATE_PARAM] for p in message.params]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": message.template,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
            ],
        },
    }


class WhatsAppChannel:
    name = "whatsapp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: Message) -> None:
        s = self.settings
        url = f"{s.whatsapp_api_url.rstrip('/')}/{s.whatsapp_phone_number_id}/messages"
        _post(
            url,
            s.notify_http_timeout_seconds,
            json=whatsapp_payload(message, s.whatsapp_template_language),
            headers={"Authorization": f"Bearer {s.whatsapp_token}"},
        )


class SmsGatewayChannel:
    """``to``, ``text`` (and ``from`` when set) as JSON or as a form, with a bearer token."""

    name = "sms"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: Message) -> None:
        s = self.settings
        assert s.sms_gateway_url, "the SMS channel needs YAKU_SMS_GATEWAY_URL"
        fields = {"to": message.to, "text": message.text[: s.sms_max_chars]}
        if s.sms_sender:
            fields["from"] = s.sms_sender
        headers = {"Authorization": f"Bearer {s.sms_gateway_token}"} if s.sms_gateway_token else {}
        body: dict[str, Any] = (
            {"json": fields} if s.sms_gateway_format == "json" else {"data": fields}
        )
        _post(s.sms_gateway_url, s.notify_http_timeout_seconds, headers=headers, **body)
