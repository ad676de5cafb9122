"""Webhooks of the messaging gateways: WhatsApp Cloud API, Twilio-style SMS, RapidPro/TextIt
flows. Each checks its gateway's signature over the raw body before reading anything (a route
whose secret is not configured refuses everything), then hands every message to
``geodata.inbound.service.receive``, which processes each one once.

Not in the OpenAPI document: their bodies are the gateways' formats, and only a gateway that
holds the secret can call them.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.deps import SessionDep
from geodata.errors import AppError
from geodata.inbound import signatures
from geodata.inbound.gateways import (
    Incoming,
    MalformedWebhook,
    flow_message,
    phone_of,
    twilio_message,
    whatsapp_messages,
)
from geodata.inbound.service import receive
from geodata.notify.base import mask_address
from geodata.settings import get_settings

log = logging.getLogger("yaku.inbound")
router = APIRouter(prefix="/api/v1/inbound", include_in_schema=False)

WHATSAPP_PATH = "/api/v1/inbound/whatsapp"
TWILIO_PATH = "/api/v1/inbound/sms/twilio"
FLOW_PATH = "/api/v1/inbound/sms/flow"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class Unsigned(AppError):
    status_code = 401
    code = "signature_missing"
    message = "This webhook only accepts requests signed by its gateway."


class BadSignature(AppError):
    status_code = 403
    code = "signature_invalid"
    message = "The request's signature does not match."


class GatewayNotConfigured(AppError):
    status_code = 403
    code = "gateway_not_configured"
    message = "This gateway is not configured on this service."


class VerificationRefused(AppError):
    status_code = 403
    code = "verification_refused"
    message = "The verification token does not match."


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent (the signature covers these bytes); its size was bounded by
    ``api/guards.py``."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _senders(body: bytes) -> str:
    """The senders of a refused request, masked, for the log (best effort)."""
    found: list[str] = []
    try:
        data = orjson.loads(body)
        for entry in data.get("entry", []) if isinstance(data, dict) else []:
            for change in entry.get("changes", []):
                found += [str(m.get("from")) for m in change["value"].get("messages", [])]
        if isinstance(data, dict) and isinstance(data.get("contact"), dict):
            found.append(str(data["contact"].get("urn")))
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
        found += [v for k, v in parse_qsl(body.decode("utf-8", "replace")) if k == "From"]
    return ", ".join(_masked(s) for s in found if s) or "unknown"


def _masked(sender: str) -> str:
    try:
        return mask_address(phone_of(sender))
    except AppError:
        return mask_address(sender)


def _check(gateway: str, secret: str | None, header: str | None, valid: bool, body: bytes) -> None:
    if valid:
        return
    if not secret:
        log.warning("refused %s webhook: no secret configured", gateway)
        raise GatewayNotConfigured()
    log.warning(
        "refused %s webhook (%s signature) from %s",
        gateway,
        "missing" if not header else "bad",
        _senders(body),
    )
    raise Unsigned() if not header else BadSignature()


def _receive_all(session: Any, messages: list[Incoming]) -> dict[str, Any]:
    outcomes = [receive(session, m) for m in messages]
    done = [o for o in outcomes if o is not None]
    return {
        "received": len(done),
        "duplicates": len(outcomes) - len(done),
        "tracking_codes": [o.tracking_code for o in done if o.tracking_code],
    }


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedWebhook() from None


# --- WhatsApp Cloud API -------------------------------------------------------------------------


@router.get(WHATSAPP_PATH.removeprefix("/api/v1/inbound"))
def whatsapp_verify(
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=500)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=500)] = None,
) -> PlainTextResponse:
    """Meta's verification handshake: echo ``hub.challenge`` when the token matches."""
    expected = get_settings().whatsapp_verify_token
    if not expected:
        raise GatewayNotConfigured()
    if mode != "subscribe" or not token or not challenge:
        raise VerificationRefused()
    if not hmac.compare_digest(expected.encode(), token.encode()):
        log.warning("refused the WhatsApp verification handshake: wrong token")
        raise VerificationRefused()
    return PlainTextResponse(challenge)


@router.post(WHATSAPP_PATH.removeprefix("/api/v1/inbound"))
def whatsapp_webhook(request: Request, body: RawBody, session: SessionDep) -> JSONResponse:
    secret = get_settings().whatsapp_app_secret
    header = request.headers.get("x-hub-signature-256")
    valid = signatures.whatsapp_signature_valid(secret, body, header)
    _check("whatsapp", secret, header, valid, body)
    return JSONResponse(_receive_all(session, whatsapp_messages(_json(body))))


# --- Twilio-style SMS ---------------------------------------------------------------------------


def _public_url(request: Request) -> str:
    """The URL the gateway called, as it signed it: the service's public base, not the
    address behind a proxy."""
    query = request.url.query
    return get_settings().base_url + request.url.path + (f"?{query}" if query else "")


@router.post(TWILIO_PATH.removeprefix("/api/v1/inbound"))
def twilio_webhook(request: Request, body: RawBody, session: SessionDep) -> Response:
    secret = get_settings().twilio_auth_token
    header = request.headers.get("x-twilio-signature")
    try:
        params = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        params = []
    valid = signatures.twilio_signature_valid(secret, _public_url(request), params, header)
    _check("twilio", secret, header, valid, body)
    _receive_all(session, [twilio_message(dict(params))])
    return Response(EMPTY_TWIML, media_type="application/xml")


# --- RapidPro / TextIt flows --------------------------------------------------------------------


@router.post(FLOW_PATH.removeprefix("/api/v1/inbound"))
def flow_webhook(request: Request, body: RawBody, session: SessionDep) -> JSONResponse:
    secret = get_settings().flow_webhook_secret
    header = request.headers.get("x-yaku-signature")
    valid = signatures.flow_signature_valid(secret, body, header)
    _check("flow", secret, header, valid, body)
    return JSONResponse(_receive_all(session, [flow_message(_json(body))]))
