"""HTML rendering: one autoescaping Jinja environment per language, and the cached map page."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from api.security import script_hash
from geodata.messages import shown
from geodata.models import ReportCategory, ReportStatus
from geodata.opendata.privacy import public_text
from geodata.settings import get_settings
from web import advice, markers, queries
from web.i18n import gettext_for
from web.map import LEAFLET_CSS, LEAFLET_JS, build_map, render_parts

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAP_CACHE_SIZE = 8
COLOUR_KEYS = ("green", "yellow", "red", "grey")


@lru_cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["public_text"] = public_text
    env.install_gettext_translations(gettext_for(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        lang=language,
        leaflet_js=LEAFLET_JS,
        leaflet_css=LEAFLET_CSS,
        category_labels=category_labels,
        status_labels=status_labels,
        colour_labels=colour_labels,
        measurement_labels=measurement_labels,
        shape=markers.svg,
        meaning=advice.meaning,
        evidence_kind=advice.evidence_kind,
        age=advice.age,
        alert_topic=advice.alert_topic,
        alert_advice=advice.alert_advice,
        whatsapp_link=whatsapp_link,
        shown=shown,
    )
    return env


def whatsapp_link(number: str | None) -> str | None:
    """A wa.me link for a Peruvian number as people write it (9 digits for a mobile, with or
    without +51); None when it has no digits."""
    digits = "".join(c for c in (number or "") if c.isdigit())
    if not digits:
        return None
    if len(digits) == 9:
        digits = "51" + digits
    return f"https://wa.me/{digits}"


def render(template: str, language: str, **context: Any) -> str:
    return environment(language).get_template(template).render(**context)


def category_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    labels = {
        ReportCategory.NO_WATER: _("No water"),
        ReportCategory.INTERMITTENT_SUPPLY: _("Water comes and goes"),
        ReportCategory.BAD_TASTE_SMELL_COLOUR: _("Bad taste, smell or colour"),
        ReportCategory.TURBID_WATER: _("Cloudy water"),
        ReportCategory.SUSPECTED_CONTAMINATION: _("Possible contamination"),
        ReportCategory.BROKEN_INFRASTRUCTURE: _("Something is broken"),
        ReportCategory.LEAK: _("Leak"),
        ReportCategory.NEW_SOURCE: _("New water source"),
        ReportCategory.SUGGESTION: _("Suggestion"),
        ReportCategory.OTHER: _("Other"),
    }
    return {k.value: v for k, v in labels.items()}


def status_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    labels = {
        ReportStatus.RECEIVED: _("Received"),
        ReportStatus.VALIDATED: _("Checked"),
        ReportStatus.REJECTED: _("Not accepted"),
        ReportStatus.ACKNOWLEDGED: _("Seen by the provider"),
        ReportStatus.IN_PROGRESS: _("Being fixed"),
        ReportStatus.RESOLVED: _("Solved"),
        ReportStatus.CLOSED: _("Closed"),
    }
    return {k.value: v for k, v in labels.items()}


def colour_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    return {
        "green": _("Green: good"),
        "yellow": _("Yellow: take care"),
        "red": _("Red: problem"),
        "grey": _("Grey: no data"),
    }


def measurement_labels(language: str) -> dict[str, str]:
    """Who measured and how, for the system page."""
    _ = gettext_for(language).gettext
    return {
        "citizen": _("Citizen"),
        "operator": _("Operator"),
        "lab": _("Laboratory"),
        "sense": _("Sight, smell or taste"),
        "kit": _("Field kit"),
    }


def map_strings(language: str) -> dict[str, Any]:
    """Labels the map's script needs, translated once per page."""
    _ = gettext_for(language).gettext
    return {
        **colour_labels(language),
        "systems": _("Systems"),
        "system": _("System"),
        "source": _("Source"),
        "loading": _("Loading…"),
        "offline": _("Not available without connection."),
        "provider": _("Provider"),
        "contact": _("Contact"),
        "no_contact": _("No public contact yet."),
        "whatsapp": _("WhatsApp"),
        "hours": _("Office hours"),
        "communities": _("Communities"),
        "population": _("People served"),
        "evidence_official": _("Official evidence"),
        "evidence_citizen": _("Citizen evidence"),
        "evidence_none": _("No evidence yet"),
        "open_reports": _("Open reports"),
        "report": _("Report"),
        "report_here": _("Report a problem here"),
        "details": _("Details"),
        "follow": _("Follow this report"),
        "categories": category_labels(language),
        "statuses": status_labels(language),
        "lang": language,
        **find_strings(language),
        **alert_strings(language),
    }


def alert_strings(language: str) -> dict[str, Any]:
    """What the popups say about an unconfirmed citizen alert and what a colour means."""
    _ = gettext_for(language).gettext
    categories = category_labels(language)
    topics = list(categories) + [
        f"reading:{p}"
        for p in (
            "free_chlorine",
            "turbidity",
            "ph",
            "e_coli",
            "thermotolerant_coliforms",
            "total_coliforms",
        )
    ]
    return {
        "alert": _("Unconfirmed citizen alert"),
        "alert_since": _("since"),
        "alert_note": _(
            "One neighbour reported it; it is not confirmed yet. The colour changes only with "
            "official evidence, a second neighbour or the provider."
        ),
        "alert_topics": {t: advice.alert_topic(t, language, categories) for t in topics},
        "alert_advice": {t: advice.alert_advice(t, language) for t in topics},
        "meaning": {c: advice.meaning(c, language).headline for c in COLOUR_KEYS},
        "evidence_since": _("since"),
        "call": _("Call"),
        "whatsapp": _("WhatsApp"),
        "hours": _("Hours"),
        "answer": _("Answer"),
        "no_answer": _("No answer yet"),
    }


def find_strings(language: str) -> dict[str, Any]:
    """The search box and "near me"."""
    _ = gettext_for(language).gettext
    return {
        "searching": _("Searching…"),
        "search_none": _("Nothing found. Check the spelling, or try the district's name."),
        "search_more": _("Many places match: type more letters to narrow it down."),
        "search_offline": _("Search needs a connection. The map still shows what you saw."),
        "near_title": _("Nearest water"),
        "near_wait": _("Looking for your location…"),
        "near_denied": _(
            "Without your location we cannot tell what is near. You can still search by name."
        ),
        "you_are_here": _("You are here"),
        "metres": _("{n} m"),
        "kilometres": _("{n} km"),
        "towards": _("to the {direction}"),
        "directions": advice.direction_labels(language),
        "kinds": {
            "system": _("Water system"),
            "source": _("Source"),
            "district": _("District"),
            "province": _("Province"),
            "place": _("Provincial capital"),
        },
        "in_district": _("district of {name}"),
        "close": _("Close"),
        "attribution": _(
            "Districts: mapsPERU (GPL-3.0) · Provincial capitals: juaneladio/peru-geojson, "
            "IDEP-2016 (MPL-2.0) · Water systems: SIASAR Peru (CC BY 4.0)"
        ),
    }


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@dataclass(frozen=True, slots=True)
class RenderedMap:
    version: str
    html: str
    script_hashes: tuple[str, ...] = ()


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """CSP sources for the page's inline scripts (the Folium script and the prefetch), which
    the Content-Security-Policy then allows by hash (``api.security``)."""
    return tuple(script_hash(body) for body in _INLINE_SCRIPT.findall(html))


class MapCache:
    """Rendered map pages keyed by (data version, language, base layer); a few entries."""

    def __init__(self, size: int = MAP_CACHE_SIZE) -> None:
        self._entries: OrderedDict[tuple[str, ...], RenderedMap] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self.renders = 0

    def get_or_render(self, session: Session, language: str) -> RenderedMap:
        settings = get_settings()
        version = queries.data_version(session)
        key = (version, language, settings.tile_url or "", settings.tile_attribution)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        html = render_map_page(session, language)
        rendered = RenderedMap(version, html, inline_script_hashes(html))
        with self._lock:
            self.renders += 1
            self._entries[key] = rendered
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


map_cache = MapCache()


def render_map_page(session: Session, language: str) -> str:
    settings = get_settings()
    _ = gettext_for(language).gettext
    bounds = queries.region_bounds(session)
    config = {"t": map_strings(language), "bounds": bounds, "shapes": markers.config()}
    fmap = build_map(
        queries.district_layer(session),
        bounds,
        settings.tile_url,
        settings.tile_attribution,
        _,
        config,
    )
    parts = render_parts(fmap)
    return render(
        "map.html",
        language,
        map_html=parts.html,
        map_script=parts.script,
        bounds=bounds,
        totals=queries.colour_totals(session),
        colours=colour_labels(language),
        path="/",
    )
