"""Representation choice: the ``f`` parameter wins, else the Accept header (browsers get HTML)."""

from __future__ import annotations

from fastapi import Request

from geodata.opendata.errors import BadParameter

FORMATS = {"json": "json", "geojson": "json", "html": "html"}


def wants_html(request: Request) -> bool:
    value = request.query_params.get("f")
    if value is not None:
        choice = FORMATS.get(value.lower())
        if choice is None:
            raise BadParameter(
                "unknown {name} '{value}'; expected one of: {choices}",
                name="f",
                value=value,
                choices="json, html",
            )
        return choice == "html"
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in ("text/html", "application/xhtml+xml")
