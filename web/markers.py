"""Marker shapes: each status has its own shape and sign, not only its colour.

Under deuteranopia red and green look alike, so colour alone cannot carry the traffic light:
green is a circle with a tick, yellow a triangle with "!", red an octagon (a stop sign) with a
cross, grey a square with "?". An unconfirmed citizen alert is a speech bubble with "!" beside
the marker (one neighbour says so; not yet confirmed). One definition, used by the legend and
the pages (SVG rendered here) and by ``static/map.js`` (the same paths, from the map's config).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Shape:
    name: str  # for people and tests: circle, triangle...
    path: str  # in a 32 x 32 box
    fill: str
    sign: str  # the sign drawn inside
    sign_colour: str
    sign_y: float  # baseline of the sign, so it sits in the shape's visual centre


SHAPES: dict[str, Shape] = {
    "green": Shape(
        "circle", "M16 3a13 13 0 1 1 0 26a13 13 0 1 1 0-26z", "#1a9641", "✓", "#fff", 21.5
    ),
    "yellow": Shape("triangle", "M16 2.5L30.5 28.5H1.5Z", "#e6b800", "!", "#1b1b1b", 25),
    "red": Shape(
        "octagon", "M10.6 3h10.8L29 10.6v10.8L21.4 29H10.6L3 21.4V10.6Z", "#d7191c", "✕", "#fff", 21
    ),
    "grey": Shape("square", "M5 5h22v22H5Z", "#8a8a8a", "?", "#fff", 21.5),
}
ALERT = Shape("bubble", "M3 3h26v18H15l-7 7v-7H3Z", "#ffffff", "!", "#1b1b1b", 17.5)


def config() -> dict[str, Any]:
    """The shapes for ``static/map.js``."""
    return {
        key: {
            "name": s.name,
            "path": s.path,
            "fill": s.fill,
            "sign": s.sign,
            "sign_colour": s.sign_colour,
            "sign_y": s.sign_y,
        }
        for key, s in {**SHAPES, "alert": ALERT}.items()
    }


_SVG = Markup(
    '<svg class="yaku-shape yaku-shape-{name}" width="{size}" height="{size}" '
    'viewBox="0 0 32 32" {a11y} focusable="false">'
    '<path d="{path}" fill="{fill}" stroke="#1b1b1b" stroke-width="2" stroke-linejoin="round"/>'
    '<text x="16" y="{sign_y}" text-anchor="middle" font-size="15" font-weight="700" '
    'font-family="system-ui,sans-serif" fill="{sign_colour}">{sign}</text></svg>'
)
_LABELLED = Markup('role="img" aria-label="{label}"')
_DECORATIVE = Markup('aria-hidden="true"')


def svg(kind: str, size: int = 24, label: str | None = None) -> Markup:
    """The shape of a status (or "alert") as inline SVG; decorative unless ``label`` is given.
    Every value is escaped by ``Markup.format``."""
    shape = ALERT if kind == "alert" else SHAPES.get(kind, SHAPES["grey"])
    a11y = _LABELLED.format(label=label) if label else _DECORATIVE
    return _SVG.format(
        name=shape.name,
        size=size,
        a11y=a11y,
        path=shape.path,
        fill=shape.fill,
        sign_y=shape.sign_y,
        sign_colour=shape.sign_colour,
        sign=shape.sign,
    )
