"""Folium map objects from plain data: base layer, district choropleth, legend, layer control.

The map carries no water system: empty feature groups are filled by ``static/map.js`` from
``/map/data`` for the viewport only, so the page weighs the same for 371 or 100,000 systems.
Every asset comes from the service itself (``STATIC_PREFIX``); Folium's CDN defaults are
replaced, and the header Folium would write (with a zoom-blocking viewport) is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import Figure, MacroElement
from folium.template import Template
from markupsafe import escape

from web.markers import svg

STATIC_PREFIX = "/static"
LEAFLET_JS = f"{STATIC_PREFIX}/vendor/leaflet/leaflet.js"
LEAFLET_CSS = f"{STATIC_PREFIX}/vendor/leaflet/leaflet.css"
COLOUR_HEX = {"green": "#1a9641", "yellow": "#e6b800", "red": "#d7191c", "grey": "#8a8a8a"}

Gettext = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class MapParts:
    """What a page template places: the map's div and its script (Folium-generated)."""

    html: str
    script: str
    map_name: str


class Legend(MacroElement):
    """The traffic light with its rule in plain words, and the district colouring selector."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomleft"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "yaku-legend");
            div.innerHTML = {{ this.markup|tojson }};  // catalogue strings, escaped in Python
            if (window.innerWidth >= 700) div.firstChild.open = true;
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.markup = markup


class YakuLayers(MacroElement):
    """Hands the Folium layer objects to ``static/map.js``, which loads the viewport's data."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.yakuMapInit({
          map: {{ this._parent.get_name() }},
          districts: {{ this.districts.get_name() }},
          systems: {{ this.systems.get_name() }},
          sources: {{ this.sources.get_name() }},
          reports: {{ this.reports.get_name() }},
          config: {{ this.config|tojson }}
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        districts: folium.GeoJson,
        systems: folium.FeatureGroup,
        sources: folium.FeatureGroup,
        reports: folium.FeatureGroup,
        config: dict[str, Any],
    ) -> None:
        super().__init__()
        self._name = "YakuLayers"
        self.districts = districts
        self.systems = systems
        self.sources = sources
        self.reports = reports
        self.config = config


def legend_markup(_: Gettext) -> str:
    """Legend HTML; every string comes from the catalogue and is escaped."""
    rows = [
        ("green", _("Green: recent evidence within the limits.")),
        (
            "yellow",
            _(
                "Yellow: chlorine 0.3-0.5 mg/L, turbidity above 5 NTU, pH outside 6.5-8.5, "
                "intermittent supply, bad taste, smell or colour, or evidence that is too old."
            ),
        ),
        (
            "red",
            _(
                "Red: faecal bacteria (E. coli or coliforms) found, chlorine below 0.3 mg/L, "
                "or no water."
            ),
        ),
        ("grey", _("Grey: no evidence yet.")),
    ]
    rows.append(
        (
            "alert",
            _(
                "Speech bubble: unconfirmed citizen alert (one neighbour's report), with its "
                "health advice."
            ),
        )
    )
    items = "".join(f"<li>{svg(shape, 22)}{escape(text)}</li>" for shape, text in rows)
    choices = "".join(
        f'<option value="{value}">{escape(label)}</option>'
        for value, label in (
            ("red", _("share of red systems")),
            ("yellow", _("share of yellow systems")),
            ("green", _("share of green systems")),
            ("grey", _("share of systems without evidence")),
            ("none", _("outlines only")),
        )
    )
    title = escape(_("Legend"))
    evidence = escape(
        _(
            "Official evidence comes from a laboratory, DIRESA or the operator; "
            "citizen evidence from reports."
        )
    )
    alerts = escape(
        _(
            "One neighbour's report of a problem shows at once as an unconfirmed citizen "
            "alert, with its health advice; the colour changes only with official evidence, "
            "a second report from another phone and network, or the provider's confirmation."
        )
    )
    colour_by = escape(_("Colour districts by"))
    open_data = escape(_("Open data: downloads and licences"))
    return (
        f"<details><summary>{title}</summary>"
        f'<ul class="yaku-rules">{items}</ul><p>{evidence}</p><p>{alerts}</p>'
        f'<label>{colour_by} <select id="yaku-choropleth">{choices}</select></label>'
        f'<p class="yaku-ramp"><span>0%</span><span class="yaku-ramp-bar"></span>'
        f"<span>100%</span></p>"
        f'<p><a href="/downloads?f=html">{open_data}</a></p></details>'
    )


def build_map(
    districts: dict[str, Any],
    bounds: tuple[float, float, float, float],
    tile_url: str | None,
    tile_attribution: str,
    _: Gettext,
    config: dict[str, Any],
) -> folium.Map:
    """The whole map: optional tiles, districts, empty point layers, legend, layer control."""
    west, south, east, north = bounds
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        min_zoom=6,
        max_zoom=18,
        # Quarter zoom steps, so the department fills a narrow phone screen instead of a third.
        zoom_snap=0.25,
    )
    # Only the service's own copy of Leaflet, nothing from a CDN.
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    if tile_url:
        folium.TileLayer(
            tiles=tile_url, attr=tile_attribution, name=_("Base map"), max_zoom=18
        ).add_to(fmap)
        folium.FeatureGroup(name=_("District outlines only"), overlay=False).add_to(fmap)
    district_layer = folium.GeoJson(
        districts,
        name=_("Districts (share of systems by colour)"),
        style_function=lambda _feature: {
            "color": "#555555",
            "weight": 1,
            "fillColor": "#ffffff",
            "fillOpacity": 0.1,
        },
        highlight_function=None,
        smooth_factor=1.5,
    )
    district_layer.add_to(fmap)
    systems = folium.FeatureGroup(name=_("Water systems"))
    sources = folium.FeatureGroup(name=_("Water sources"), show=False)
    reports = folium.FeatureGroup(name=_("Open reports"))
    for group in (systems, sources, reports):
        group.add_to(fmap)
    Legend(legend_markup(_)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    YakuLayers(district_layer, systems, sources, reports, config).add_to(fmap)
    return fmap


def render_parts(fmap: folium.Map) -> MapParts:
    """Render the Folium objects; the page's own template supplies <head> and assets."""
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()
    return MapParts(
        html=figure.html.render(),
        script=figure.script.render(),
        map_name=fmap.get_name(),
    )
