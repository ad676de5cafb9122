"""GeoReport v2 response schemas, written from the specification's text (wiki.open311.org,
GeoReport_v2: the field lists, types and "required" columns of each method's response).

The official XSD and JSON schema files are not shipped by any package reachable here (PyPI,
Debian, npm), so they are transcribed: JSON Schema 2020-12 for the JSON format and XSD 1.0 for
the XML one. Where the specification says a field is optional it is optional; nowhere does it
allow null; a POST answer carries a service_request_id or a token, not both.
"""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
DATETIME = {"type": "string", "format": "date-time"}

ERRORS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": STRING},
        "additionalProperties": False,
    },
}
DISCOVERY: dict[str, Any] = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": DATETIME,
        "contact": STRING,
        "key_service": STRING,
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": STRING,
                    "url": STRING,
                    "changeset": DATETIME,
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": STRING, "minItems": 1},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
SERVICES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": STRING,
            "service_name": STRING,
            "description": STRING,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": STRING,
            "group": STRING,
        },
        "additionalProperties": False,
    },
}
SERVICE_DEFINITION: dict[str, Any] = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": STRING,
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": STRING,
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": STRING,
                    "order": {"type": "integer"},
                    "description": STRING,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": STRING, "name": STRING},
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
POST_RESPONSE: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "service_request_id": STRING,
            "token": STRING,
            "service_notice": STRING,
            "account_id": STRING,
        },
        "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "additionalProperties": False,
    },
}
REQUESTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": STRING,
            "status": {"enum": ["open", "closed"]},
            "status_notes": STRING,
            "service_name": STRING,
            "service_code": STRING,
            "description": STRING,
            "agency_responsible": STRING,
            "service_notice": STRING,
            "requested_datetime": DATETIME,
            "updated_datetime": DATETIME,
            "expected_datetime": DATETIME,
            "address": STRING,
            "address_id": STRING,
            "zipcode": STRING,
            "lat": {"type": "number"},
            "long": {"type": "number"},
            "media_url": STRING,
        },
        "additionalProperties": False,
    },
}
TOKENS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["token"],
        "properties": {"service_request_id": STRING, "token": STRING},
        "additionalProperties": False,
    },
}

# The XML format: the same documents, element by element.
XSD = """<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="discovery">
    <xs:complexType><xs:sequence>
      <xs:element name="changeset" type="xs:dateTime"/>
      <xs:element name="contact" type="xs:string"/>
      <xs:element name="key_service" type="xs:string"/>
      <xs:element name="endpoints"><xs:complexType><xs:sequence>
        <xs:element name="endpoint" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="specification" type="xs:string"/>
          <xs:element name="url" type="xs:string"/>
          <xs:element name="changeset" type="xs:dateTime"/>
          <xs:element name="type" type="xs:string"/>
          <xs:element name="formats"><xs:complexType><xs:sequence>
            <xs:element name="format" type="xs:string" maxOccurs="unbounded"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="service_requests">
    <xs:complexType><xs:sequence>
      <xs:element name="request" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType><xs:all>
          <xs:element name="service_request_id" type="xs:string" minOccurs="0"/>
          <xs:element name="token" type="xs:string" minOccurs="0"/>
          <xs:element name="service_notice" type="xs:string" minOccurs="0"/>
          <xs:element name="account_id" type="xs:string" minOccurs="0"/>
          <xs:element name="status" minOccurs="0"><xs:simpleType>
            <xs:restriction base="xs:string">
              <xs:enumeration value="open"/><xs:enumeration value="closed"/>
            </xs:restriction>
          </xs:simpleType></xs:element>
          <xs:element name="status_notes" type="xs:string" minOccurs="0"/>
          <xs:element name="service_name" type="xs:string" minOccurs="0"/>
          <xs:element name="service_code" type="xs:string" minOccurs="0"/>
          <xs:element name="description" type="xs:string" minOccurs="0"/>
          <xs:element name="agency_responsible" type="xs:string" minOccurs="0"/>
          <xs:element name="requested_datetime" type="xs:dateTime" minOccurs="0"/>
          <xs:element name="updated_datetime" type="xs:dateTime" minOccurs="0"/>
          <xs:element name="expected_datetime" type="xs:dateTime" minOccurs="0"/>
          <xs:element name="address" type="xs:string" minOccurs="0"/>
          <xs:element name="address_id" type="xs:string" minOccurs="0"/>
          <xs:element name="zipcode" type="xs:string" minOccurs="0"/>
          <xs:element name="lat" type="xs:decimal" minOccurs="0"/>
          <xs:element name="long" type="xs:decimal" minOccurs="0"/>
          <xs:element name="media_url" type="xs:anyURI" minOccurs="0"/>
        </xs:all></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="errors">
    <xs:complexType><xs:sequence>
      <xs:element name="error" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="code" type="xs:integer"/>
        <xs:element name="description" type="xs:string"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""
