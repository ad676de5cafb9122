"""Reading each gateway's body (pure): senders in E.164, texts, locations, ids; statuses and
unknown types are not reports; unreadable bodies are refused."""

from __future__ import annotations

import orjson
import pytest

from geodata.inbound.gateways import (
    MalformedWebhook,
    flow_message,
    phone_of,
    twilio_message,
    whatsapp_messages,
)
from geodata.inbound.signatures import (
    flow_signature_valid,
    twilio_signature,
    twilio_signature_valid,
    whatsapp_signature_valid,
)
from tests.inbound.support import (
    flow_body,
    sign_whatsapp,
    twilio_form,
    whatsapp_envelope,
    whatsapp_location,
    whatsapp_text,
)


@pytest.mark.parametrize(
    "value",
    ["51987654321", "+51987654321", "+51 987 654 321", "tel:+51987654321", "whatsapp:+51987654321"],
)
def test_senders_become_e164(value: str) -> None:
    assert phone_of(value) == "+51987654321"


@pytest.mark.parametrize("value", ["", None, "tel:", "abc"])
def test_no_sender_is_malformed(value: str | None) -> None:
    with pytest.raises(MalformedWebhook):
        phone_of(value)


def test_whatsapp_texts_and_locations_in_one_batch() -> None:
    body = orjson.loads(
        whatsapp_envelope(
            whatsapp_text("+51987654321", "AGUA 160421 NOHAY", "wamid.1"),
            whatsapp_location("+51987654321", -78.5, -7.9, "wamid.2"),
        )
    )
    text, place = whatsapp_messages(body)
    assert (text.message_id, text.sender, text.kind, text.text) == (
        "wamid.1",
        "+51987654321",
        "text",
        "AGUA 160421 NOHAY",
    )
    assert (place.kind, place.lon, place.lat, place.channel) == (
        "location",
        -78.5,
        -7.9,
        "whatsapp",
    )


def test_whatsapp_statuses_are_not_messages() -> None:
    body = orjson.loads(whatsapp_envelope(statuses=[{"id": "wamid.3", "status": "read"}]))
    assert whatsapp_messages(body) == []


def test_twilio_form_and_its_whatsapp_senders() -> None:
    form = twilio_form("whatsapp:+51987654321", "ESTADO ABCD2345", sid="SM1")
    message = twilio_message(form)
    assert (message.message_id, message.sender, message.text, message.channel) == (
        "SM1",
        "+51987654321",
        "ESTADO ABCD2345",
        "sms",
    )
    with pytest.raises(MalformedWebhook):
        twilio_message({"From": "+51987654321", "Body": "x"})  # no message id


def test_flow_bodies_default_and_flat_and_geo() -> None:
    default = flow_message(orjson.loads(flow_body("+51987654321", "AGUA FUGA", "msg-1")))
    assert (default.gateway, default.message_id, default.sender, default.text) == (
        "flow",
        "msg-1",
        "+51987654321",
        "AGUA FUGA",
    )
    flat = flow_message({"urn": "tel:+51987654321", "text": "hola", "run_id": "run-9"})
    assert (flat.message_id, flat.text) == ("run-9", "hola")
    geo = flow_message(
        {"urn": "tel:+51987654321", "id": "m2", "text": "", "attachments": ["geo:-7.9,-78.5"]}
    )
    assert (geo.kind, geo.lon, geo.lat) == ("location", -78.5, -7.9)
    with pytest.raises(MalformedWebhook):
        flow_message({"urn": "tel:+51987654321", "text": "x"})  # no id


def test_signatures() -> None:
    body = b'{"a": 1}'
    assert whatsapp_signature_valid("s", body, sign_whatsapp(body, "s"))
    assert not whatsapp_signature_valid("s", body, sign_whatsapp(body, "s").removeprefix("sha256="))
    assert not whatsapp_signature_valid(None, body, sign_whatsapp(body, ""))
    assert flow_signature_valid("s", body, sign_whatsapp(body, "s").removeprefix("sha256="))
    assert not flow_signature_valid("s", body + b" ", sign_whatsapp(body, "s"))
    # Twilio's own published test vector (twilio-python, tests/unit/test_request_validator.py).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio_signature_valid("12345", url, params.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not twilio_signature_valid(
        "12345", url + "&x=1", params.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    assert not twilio_signature_valid(None, url, params.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def test_an_unreadable_message_does_not_refuse_its_batch() -> None:
    body = orjson.loads(
        whatsapp_envelope(
            {"from": "", "id": "wamid.bad", "type": "text", "text": {"body": "x"}},
            whatsapp_text("+51987654321", "AGUA FUGA", "wamid.good"),
        )
    )
    assert [m.message_id for m in whatsapp_messages(body)] == ["wamid.good"]
