"""Gateway requests as the gateways send them, signed with the test secrets."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.inbound.signatures import twilio_signature
from geodata.models import Delivery
from geodata.settings import get_settings
from tests.smtp_support import settings_env

APP_SECRET = "whatsapp-app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
FLOW_SECRET = "flow-shared-secret-for-tests"
SECRETS = {
    "YAKU_WHATSAPP_APP_SECRET": APP_SECRET,
    "YAKU_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
    "YAKU_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "YAKU_FLOW_WEBHOOK_SECRET": FLOW_SECRET,
}
WHATSAPP = "/api/v1/inbound/whatsapp"
TWILIO = "/api/v1/inbound/sms/twilio"
FLOW = "/api/v1/inbound/sms/flow"
_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


@pytest.fixture
def gateways(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every gateway configured with its test secret."""
    with settings_env(monkeypatch, SECRETS):
        yield


# --- WhatsApp Cloud API -------------------------------------------------------------------------


def whatsapp_envelope(*messages: dict[str, Any], statuses: list[Any] | None = None) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "51944000111", "phone_number_id": "106540352242922"},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Vecina"}, "wa_id": m["from"]} for m in messages]
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return orjson.dumps(body)


def whatsapp_text(sender: str, text: str, message_id: str | None = None) -> dict[str, Any]:
    return {
        "from": sender.lstrip("+"),
        "id": message_id or next_id("wamid.HBgLNTE5ODc2NTQzMjEVAgASGBQz"),
        "timestamp": "1764583200",
        "type": "text",
        "text": {"body": text},
    }


def whatsapp_location(
    sender: str, lon: float, lat: float, message_id: str | None = None
) -> dict[str, Any]:
    return {
        "from": sender.lstrip("+"),
        "id": message_id or next_id("wamid.HBgLNTE5ODc2NTQzMjEVAgASGBQy"),
        "timestamp": "1764583260",
        "type": "location",
        "location": {"latitude": lat, "longitude": lon, "name": "Mi casa"},
    }


def sign_whatsapp(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_whatsapp(client: TestClient, body: bytes, signature: str | None = "sign") -> Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign_whatsapp(body)
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(WHATSAPP, content=body, headers=headers)


# --- Twilio-style SMS ---------------------------------------------------------------------------


def twilio_form(sender: str, text: str, sid: str | None = None) -> dict[str, str]:
    """An incoming SMS as Twilio posts it (the fields of its messaging webhook)."""
    sid = sid or next_id("SM9c2a1b0f5e4d3c2b1a0f9e8d7c")
    return {
        "ToCountry": "PE",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": text,
        "FromCountry": "PE",
        "To": "+51944000111",
        "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef",
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def post_twilio(
    client: TestClient, form: dict[str, str], signature: str | None = "sign"
) -> Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "sign":
        url = get_settings().base_url + TWILIO
        signature = twilio_signature(TWILIO_TOKEN, url, form.items())
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(TWILIO, content=urlencode(form), headers=headers)


# --- RapidPro / TextIt flows --------------------------------------------------------------------


def flow_body(sender: str, text: str, message_id: str | None = None) -> bytes:
    """RapidPro's default "Call webhook" body."""
    body = {
        "contact": {
            "uuid": "0f3b0a2e-8f7e-4c1a-9b1f-2d3c4b5a6e7f",
            "name": "",
            "urn": f"tel:{sender}",
        },
        "flow": {"uuid": "9de3663f-c5c5-4c92-9f45-ecbc09abcc85", "name": "Reportes Yaku"},
        "path": [],
        "results": {},
        "run": {"uuid": next_id("d3a2f1e0-run-"), "created_on": "2026-12-01T10:00:00Z"},
        "input": {
            "uuid": message_id or next_id("8a7b6c5d-msg-"),
            "type": "msg",
            "text": text,
            "attachments": [],
            "created_on": "2026-12-01T10:00:00Z",
        },
        "channel": {"uuid": "b3e1c5a2-0000-4000-8000-000000000001", "name": "SMS Yaku"},
    }
    return orjson.dumps(body)


def sign_flow(body: bytes, secret: str = FLOW_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_flow(client: TestClient, body: bytes, signature: str | None = "sign") -> Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign_flow(body)
    if signature is not None:
        headers["X-Yaku-Signature"] = signature
    return client.post(FLOW, content=body, headers=headers)


def replies(session: Session) -> list[tuple[str, str, str]]:
    """(channel, to, text) of every reply this transaction will send: the ledger rows whose
    delivery is buffered until the commit, in order."""
    ids = [j.args[0] for j in jobs.pending(session) if j.name == jobs.NOTIFY_DELIVER]
    rows = [session.get_one(Delivery, row_id) for row_id in ids]
    return [(str(r.channel), r.recipient, r.text) for r in sorted(rows, key=lambda r: r.id)]
