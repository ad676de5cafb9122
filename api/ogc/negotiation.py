"""Representation choice: the ``f`` parameter wins, else the Accept header with its q-values
(RFC 9110 12.5.1): the offer with the highest quality, the more specific range deciding for an
offer and breaking ties, then the server's order (JSON first); a browser's ``text/html,...``
gets HTML."""

from __future__ import annotations

from fastapi import Request

from geodata.opendata.errors import BadParameter

FORMATS = {"json": "json", "geojson": "json", "html": "html"}
JSON_TYPES = ("application/json", "application/geo+json", "application/schema+json")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges and their quality (1 when absent, 0 when unreadable)."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def quality(ranges: list[tuple[str, float]], offer: str) -> tuple[float, int]:
    """The quality of ``offer`` under the most specific range that matches it, and how specific
    that range was (a browser's ``text/html,*/*`` names HTML itself: it wins the tie)."""
    kind = offer.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, q in ranges:
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1], best[0] if best[1] > 0 else -1


def prefers_html(accept: str) -> bool:
    if not accept.strip():
        return False
    ranges = parse_accept(accept)
    as_json = max(quality(ranges, t) for t in JSON_TYPES)
    as_html = max(quality(ranges, t) for t in HTML_TYPES)
    return as_html > as_json


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
    return prefers_html(request.headers.get("accept", ""))
