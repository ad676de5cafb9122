"""Absolute URLs and typed links of the OGC API (every link carries rel, type and title)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from geodata.settings import get_settings

PREFIX = "/ogc"
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def base_url(request: Request) -> str:
    """The configured public URL, else the URL the client used (works behind any port)."""
    public = get_settings().public_url
    return public.rstrip("/") if public else str(request.base_url).rstrip("/")


def url(request: Request, path: str, params: Mapping[str, str] | None = None) -> str:
    query = f"?{urlencode(params, safe=',/:')}" if params else ""
    return f"{base_url(request)}{path}{query}"


def link(href: str, rel: str, type_: str, title: str) -> dict[str, Any]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def self_and_alternate(
    request: Request, path: str, json_type: str, html: bool, params: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """``self`` for the representation served and ``alternate`` for the other one."""
    base = dict(params or {})
    as_json = link(url(request, path, {**base, "f": "json"}), "self", json_type, "This document")
    as_html = link(url(request, path, {**base, "f": "html"}), "self", HTML, "This document as HTML")
    if html:
        as_json.update(rel="alternate", title="This document as JSON")
        return [as_html, as_json]
    as_html["rel"] = "alternate"
    return [as_json, as_html]
