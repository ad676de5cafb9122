"""GeoReport v2 bodies in JSON or XML (the spec's two formats), from plain dictionaries."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

import orjson
from fastapi import Response

# Characters XML 1.0 cannot carry at all, not even escaped (section 2.2): C0 controls other
# than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. A description holding one would
# make the whole document not well-formed; they are dropped from every text written.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        for item in value:
            # One element per item, named for the list (formats/format, endpoints/endpoint).
            tag = key[:-1] if key.endswith("s") else "value"
            _xml_item(child, tag, item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = xml_text(value)


def _xml_item(parent: ET.Element, tag: str, item: Any) -> None:
    if isinstance(item, dict):
        element = ET.SubElement(parent, tag)
        for key, value in item.items():
            _xml_value(element, key, value)
    else:
        ET.SubElement(parent, tag).text = xml_text(item)


def to_xml(root: str, item_tag: str | None, body: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _xml_item(element, item_tag or "item", item)
    else:
        for key, value in body.items():
            _xml_value(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def render(
    fmt: str, body: Any, root: str, item_tag: str | None = None, status_code: int = 200
) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(root, item_tag, body), status_code=status_code, media_type="application/xml"
        )
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def errors(fmt: str, status_code: int, description: str) -> Response:
    """GeoReport v2 errors: a list of {code, description}."""
    return render(
        fmt, [{"code": status_code, "description": description}], "errors", "error", status_code
    )
