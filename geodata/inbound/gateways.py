"""What each gateway sends, read into one shape: ``Incoming`` (pure functions).

* WhatsApp Cloud API: ``entry[].changes[].value.messages[]`` of type ``text`` (``text.body``)
  or ``location`` (``location.latitude/longitude``); ``statuses`` (sent, delivered, read) are
  not messages and are ignored; other types (images, audio) are kept as ``other``.
* Twilio-style SMS: a form with ``From``, ``Body`` and ``MessageSid`` (``SmsSid`` in older
  requests); ``whatsapp:`` senders and ``Latitude``/``Longitude`` too.
* Flow webhooks (RapidPro / TextIt): JSON with the contact's URN (``tel:+51...``), the text and
  an id: RapidPro's default body (``contact.urn``, ``input.text``, ``input.uuid``, ``run.uuid``)
  or a flat one (``urn``, ``text``, ``id`` / ``run_id``); ``geo:lat,lon`` attachments are
  locations.

A body that cannot be read raises ``MalformedWebhook`` (422).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geodata.accounts.errors import InvalidIdentifier
from geodata.accounts.identifiers import normalize_phone
from geodata.errors import AppError

log = logging.getLogger("yaku.inbound")

MAX_TEXT = 4000
MAX_ID = 200
_E164 = re.compile(r"^\+[0-9]{8,15}$")
_GEO = re.compile(r"^geo:\s*(-?[0-9.]+)\s*,\s*(-?[0-9.]+)")


class MalformedWebhook(AppError):
    status_code = 422
    code = "malformed_webhook"
    message = "The gateway's message could not be read."


@dataclass(frozen=True, slots=True)
class Incoming:
    gateway: str  # whatsapp, twilio, flow
    message_id: str
    sender: str  # E.164
    kind: str  # text, location, other
    text: str | None = None
    lon: float | None = None
    lat: float | None = None
    payload: Mapping[str, Any] | None = None

    @property
    def channel(self) -> str:
        """The channel a reply goes back by."""
        return "whatsapp" if self.gateway == "whatsapp" else "sms"


def phone_of(value: Any) -> str:
    """E.164 from what gateways send: ``51987654321``, ``+51 987...``, ``tel:+51...``,
    ``whatsapp:+51...``."""
    text = str(value or "").strip()
    for scheme in ("tel:", "whatsapp:", "sms:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    digits = re.sub(r"[^0-9]", "", text)
    if not digits:
        raise MalformedWebhook()
    candidate = "+" + digits if not text.startswith("+") and len(digits) > 9 else text
    try:
        return normalize_phone(candidate)
    except InvalidIdentifier:
        plain = "+" + digits
        if _E164.match(plain):
            return plain  # a valid shape whose numbering plan phonenumbers does not know
        raise MalformedWebhook() from None


def _coordinates(lat: Any, lon: Any) -> tuple[float, float] | None:
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        return None
    return lo, la


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    # PostgreSQL text cannot hold NUL; a message must never be refused for it (the gateway
    # would retry it forever).
    return value.replace("\x00", "")[:MAX_TEXT]


def _id(value: Any) -> str:
    text = str(value).replace("\x00", "").strip() if isinstance(value, (str, int)) else ""
    if not text:
        raise MalformedWebhook()
    return text[:MAX_ID]


# --- WhatsApp Cloud API -------------------------------------------------------------------------


def whatsapp_messages(body: Any) -> list[Incoming]:
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise MalformedWebhook()
    found: list[Incoming] = []
    for entry in body["entry"]:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            messages = value.get("messages")
            for message in messages if isinstance(messages, list) else []:
                try:
                    found.append(_whatsapp_message(message))
                except MalformedWebhook:
                    # One unreadable message must not refuse the batch: Meta would retry the
                    # whole request forever, readable messages included.
                    log.warning("skipped an unreadable WhatsApp message in a batch")
    return found


def _whatsapp_message(message: Any) -> Incoming:
    if not isinstance(message, dict):
        raise MalformedWebhook()
    kind = message.get("type")
    common: dict[str, Any] = {
        "gateway": "whatsapp",
        "message_id": _id(message.get("id")),
        "sender": phone_of(message.get("from")),
        "payload": message,
    }
    if kind == "text" and isinstance(message.get("text"), dict):
        return Incoming(kind="text", text=_text(message["text"].get("body")) or "", **common)
    if kind == "location" and isinstance(message.get("location"), dict):
        place = message["location"]
        point = _coordinates(place.get("latitude"), place.get("longitude"))
        if point is not None:
            return Incoming(kind="location", lon=point[0], lat=point[1], **common)
    if kind == "button" and isinstance(message.get("button"), dict):
        return Incoming(kind="text", text=_text(message["button"].get("text")) or "", **common)
    return Incoming(kind="other", **common)


# --- Twilio-style form --------------------------------------------------------------------------


def twilio_message(form: Mapping[str, str]) -> Incoming:
    message_id = form.get("MessageSid") or form.get("SmsSid") or form.get("SmsMessageSid")
    common: dict[str, Any] = {
        "gateway": "twilio",
        "message_id": _id(message_id),
        "sender": phone_of(form.get("From")),
        "payload": dict(form),
    }
    point = _coordinates(form.get("Latitude"), form.get("Longitude"))
    if point is not None:
        return Incoming(kind="location", lon=point[0], lat=point[1], **common)
    body = form.get("Body")
    if body is None:
        raise MalformedWebhook()
    return Incoming(kind="text", text=_text(body), **common)


# --- RapidPro / TextIt flow webhooks ------------------------------------------------------------


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def flow_message(body: Any) -> Incoming:
    if not isinstance(body, dict):
        raise MalformedWebhook()
    urn = _get(body, "contact", "urn") or body.get("urn") or _get(body, "input", "urn", "path")
    message_id = (
        _get(body, "input", "uuid")
        or body.get("message_id")
        or body.get("id")
        or _get(body, "run", "uuid")
        or body.get("run_id")
    )
    text = _get(body, "input", "text")
    if text is None:
        text = body.get("text")
    common: dict[str, Any] = {
        "gateway": "flow",
        "message_id": _id(message_id),
        "sender": phone_of(urn),
        "payload": body,
    }
    attachments = _get(body, "input", "attachments") or body.get("attachments") or []
    for attachment in attachments if isinstance(attachments, list) else []:
        match = _GEO.match(str(attachment))
        point = _coordinates(match.group(1), match.group(2)) if match else None
        if point is not None and not (isinstance(text, str) and text.strip()):
            return Incoming(kind="location", lon=point[0], lat=point[1], **common)
    if not isinstance(text, str):
        raise MalformedWebhook()
    return Incoming(kind="text", text=_text(text), **common)
