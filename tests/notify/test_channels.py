"""The HTTP channels against a real local server: a webhook's signature is verifiable and a
server error is retried; WhatsApp's Cloud API gets free text within 24 hours of the person's
last message and the approved template after (only with opt-in); the SMS gateway in JSON and
in form style."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy.orm import Session

from geodata.models import ChannelKind, DeliveryStatus, ReportCategory
from geodata.notify import contacts, ledger, rules
from geodata.notify.http_channels import SIGNATURE_HEADER, TIMESTAMP_HEADER
from geodata.notify.outbox import queue_message
from tests import report_factories as make
from tests.http_support import http_receiver
from tests.notify.support import body_with_contacts, deliveries, report
from tests.smtp_support import settings_env

SECRET = "webhook-secret-for-tests"
PHONE = "+51987654321"


def test_a_webhook_is_signed_with_its_timestamp_and_retried_after_a_server_error(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with http_receiver(statuses=[503]) as receiver:
        env = {"YAKU_WEBHOOK_URL": receiver.url + "/yaku", "YAKU_WEBHOOK_SECRET": SECRET}
        with settings_env(monkeypatch, env):
            place = make.systems(session, 1, offset=17)[0]
            provider = body_with_contacts(session, place)
            urgent = report(session, place, ReportCategory.NO_WATER)
            rules.notify_reports(session, [urgent.id])
            (hook,) = deliveries(session, channel=ChannelKind.WEBHOOK)
            assert hook.provider_id == provider.id and hook.recipient == receiver.url + "/yaku"
            assert ledger.attempt(session, hook.id).outcome is ledger.Outcome.RETRY
            assert ledger.attempt(session, hook.id).outcome is ledger.Outcome.SENT
    first, second = receiver.requests
    assert first.body == second.body and second.path == "/yaku"
    timestamp = second.headers[TIMESTAMP_HEADER.lower()]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + second.body, hashlib.sha256)
    assert second.headers[SIGNATURE_HEADER.lower()] == "sha256=" + expected.hexdigest()
    forged = hmac.new(b"another-secret", timestamp.encode() + b"." + second.body, hashlib.sha256)
    assert second.headers[SIGNATURE_HEADER.lower()] != "sha256=" + forged.hexdigest()
    payload = second.json()
    assert payload["event"] == f"report:{urgent.id}:to:{provider.id}"
    assert payload["data"]["tracking_code"] == urgent.tracking_code
    assert payload["data"]["provider_id"] == provider.id and payload["data"]["urgent"] is True
    assert "vecina" not in second.body.decode()  # no reporter contact in the payload
    assert hook.status is DeliveryStatus.SENT and hook.attempts == 2


def _whatsapp(session: Session, key: str) -> int:
    return queue_message(
        session,
        event_key=key,
        recipient=PHONE,
        channel="whatsapp",
        subject="Yaku",
        text="Su reporte AB12CD fue resuelto.\nGracias",
    ).id


def test_whatsapp_free_text_within_24_hours_template_after_only_with_opt_in(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    with http_receiver() as receiver:
        env = {
            "YAKU_WHATSAPP_API_URL": receiver.url + "/v21.0",
            "YAKU_WHATSAPP_PHONE_NUMBER_ID": "1234567890",
            "YAKU_WHATSAPP_TOKEN": "cloud-api-token",
        }
        with settings_env(monkeypatch, env):
            no_opt_in = _whatsapp(session, "wa:none")
            assert ledger.attempt(session, no_opt_in).outcome is ledger.Outcome.FAILED
            assert receiver.requests == []

            contacts.touch_inbound(session, PHONE, now - timedelta(hours=23), channel="whatsapp")
            within = _whatsapp(session, "wa:within")
            assert ledger.attempt(session, within).outcome is ledger.Outcome.SENT

            contacts.touch_inbound(session, PHONE, now - timedelta(hours=25), channel="whatsapp")
            after = _whatsapp(session, "wa:after")
            assert ledger.attempt(session, after).outcome is ledger.Outcome.SENT
    text, template = receiver.requests
    assert text.path == "/v21.0/1234567890/messages"
    assert text.headers["authorization"] == "Bearer cloud-api-token"
    assert text.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "51987654321",
        "type": "text",
        "text": {"preview_url": False, "body": "Su reporte AB12CD fue resuelto.\nGracias"},
    }
    sent = template.json()
    assert sent["type"] == "template" and sent["to"] == "51987654321"
    assert sent["template"]["name"] == "yaku_aviso"
    assert sent["template"]["language"] == {"code": "es"}
    (component,) = sent["template"]["components"]
    assert component["parameters"] == [
        {"type": "text", "text": "Su reporte AB12CD fue resuelto. Gracias"}
    ]
    failed = deliveries(session, event_key="wa:none")[0]
    assert failed.error == "no WhatsApp opt-in recorded"


@pytest.mark.parametrize("style", ["json", "form"])
def test_sms_through_the_gateway_in_both_styles(
    session: Session, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    with http_receiver(statuses=[400]) as receiver:
        env = {
            "YAKU_SMS_GATEWAY_URL": receiver.url + "/send",
            "YAKU_SMS_GATEWAY_TOKEN": "gw-token",
            "YAKU_SMS_GATEWAY_FORMAT": style,
            "YAKU_SMS_SENDER": "YAKU",
        }
        with settings_env(monkeypatch, env):
            refused = queue_message(
                session, event_key="sms:1", recipient=PHONE, channel="sms", subject="", text="a"
            )
            # A 400 is the gateway refusing the message: no retry.
            assert ledger.attempt(session, refused.id).outcome is ledger.Outcome.FAILED
            row = queue_message(
                session,
                event_key="sms:2",
                recipient=PHONE,
                channel="sms",
                subject="",
                text="Hola ñ",
            )
            assert ledger.attempt(session, row.id).outcome is ledger.Outcome.SENT
    request = receiver.requests[-1]
    assert request.headers["authorization"] == "Bearer gw-token"
    if style == "json":
        assert request.json() == {"to": PHONE, "text": "Hola ñ", "from": "YAKU"}
    else:
        assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
        assert parse_qs(request.body.decode()) == {
            "to": [PHONE],
            "text": ["Hola ñ"],
            "from": ["YAKU"],
        }
    assert (
        refused.error and refused.error.startswith("HTTP 400") and "987654321" not in refused.error
    )
