"""Every Open311 answer, JSON and XML, validated against the GeoReport v2 schemas
(``tests/open311_schemas.py``, transcribed from the specification)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from sqlalchemy import update
from sqlalchemy.orm import Session

from geodata.models import Report, ReportStatus
from tests import open311_schemas as schemas

V2 = "/open311/v2"
XML_SCHEMA = etree.XMLSchema(etree.fromstring(schemas.XSD.encode()))


def valid_json(document: Any, schema: dict[str, Any]) -> None:
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(document)


def valid_xml(content: bytes) -> etree._Element:
    root = etree.fromstring(content)
    XML_SCHEMA.assertValid(root)
    return root


def post(client: TestClient, fmt: str = "json", **fields: str) -> Any:
    data = {"service_code": "no_water", "description": "Sin agua desde el lunes", **fields}
    if "address_string" not in fields:
        data.update(lat="-8.00815", long="-78.7386")
    return client.post(f"{V2}/requests.{fmt}", data=data)


def test_discovery_in_json_and_xml(client: TestClient) -> None:
    valid_json(client.get(f"{V2}/discovery.json").json(), schemas.DISCOVERY)
    root = valid_xml(client.get(f"{V2}/discovery.xml").content)
    formats = root.findall("endpoints/endpoint/formats/format")
    assert {f.text for f in formats} == {"application/json", "application/xml"}


def test_services_and_definitions(client: TestClient) -> None:
    services = client.get(f"{V2}/services.json").json()
    valid_json(services, schemas.SERVICES)
    for service in services:
        definition = client.get(f"{V2}/services/{service['service_code']}.json").json()
        valid_json(definition, schemas.SERVICE_DEFINITION)


def test_post_answers_one_id_and_no_null_account(client: TestClient) -> None:
    response = post(client)
    assert response.status_code == 201
    valid_json(response.json(), schemas.POST_RESPONSE)
    assert "account_id" not in response.json()[0] and "token" not in response.json()[0]
    xml = post(client, "xml", device_id="other-phone")
    root = valid_xml(xml.content)
    assert root.find("request/service_request_id") is not None
    assert root.find("request/account_id") is None


def test_a_request_located_by_address_string_alone(client: TestClient, session: Session) -> None:
    response = post(client, address_string="Sistema de CON CON, Poroto")
    assert response.status_code == 201, response.text
    code = response.json()[0]["service_request_id"]
    report = session.query(Report).filter(Report.tracking_code == code).one()
    assert report.location_code == "SIASAR-160421"
    unknown = post(client, address_string="Qxzqv Wkzzy")
    assert unknown.status_code == 400
    valid_json(unknown.json(), schemas.ERRORS)
    assert "address_string" in unknown.json()[0]["description"]


def test_requests_tokens_and_errors(client: TestClient, session: Session) -> None:
    code = post(client).json()[0]["service_request_id"]
    session.execute(
        update(Report).where(Report.tracking_code == code).values(status=ReportStatus.VALIDATED)
    )
    listed = client.get(f"{V2}/requests.json").json()
    assert code in {r["service_request_id"] for r in listed}
    valid_json(listed, schemas.REQUESTS)
    valid_json(client.get(f"{V2}/requests/{code}.json").json(), schemas.REQUESTS)
    valid_xml(client.get(f"{V2}/requests.xml").content)
    valid_json(client.get(f"{V2}/tokens/{code}.json").json(), schemas.TOKENS)
    valid_json(client.get(f"{V2}/requests.json?status=maybe").json(), schemas.ERRORS)
    valid_xml(client.get(f"{V2}/requests/NOPE.xml").content)


@pytest.mark.parametrize(
    "document",
    [
        [{"service_request_id": "A1", "token": "A1", "service_notice": "x"}],
        [{"service_request_id": "A1", "account_id": None}],
    ],
)
def test_the_schema_refuses_what_the_old_answer_was(document: Any) -> None:
    """The answer before this fix (both ids, a null account) fails the schema: it can fail."""
    with pytest.raises(Exception, match="valid"):
        valid_json(document, schemas.POST_RESPONSE)
