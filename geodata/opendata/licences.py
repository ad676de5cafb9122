"""The project's own licence and the third-party layers it republishes (../shared/SOURCES.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from geodata import catalog

PROJECT_TITLE = "Yaku - Mapa ciudadano del agua de La Libertad"
PROJECT_ATTRIBUTION = "Yaku, mapa ciudadano del agua de La Libertad (Perú)"
PROJECT_LICENCE = "CC-BY-4.0"
PROJECT_LICENCE_NAME = "Creative Commons Attribution 4.0 International"
PROJECT_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

GPL_3 = "GPL-3.0-only"  # mapsPERU's boundaries (R package licence "GPL-3")
UBIGEO_ATTRIBUTION = "district and province names and codes: INEI and RENIEC ubigeo tables"

LICENCE_URLS = {
    "CC BY 4.0": PROJECT_LICENCE_URL,
    "CC-BY-4.0": PROJECT_LICENCE_URL,
    "GPL-3.0": "https://www.gnu.org/licenses/gpl-3.0.html",
    GPL_3: "https://www.gnu.org/licenses/gpl-3.0.html",
    "MPL-2.0": "https://www.mozilla.org/en-US/MPL/2.0/",
    "MIT": "https://opensource.org/license/mit",
}


@dataclass(frozen=True, slots=True)
class ThirdPartyLayer:
    name: str
    title: str
    licence: str
    licence_url: str | None
    attribution: str
    used_in: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["used_in"] = list(self.used_in)
        return data


def _layer(spec: catalog.DatasetSpec, used_in: tuple[str, ...]) -> ThirdPartyLayer:
    return ThirdPartyLayer(
        spec.name,
        spec.title,
        spec.licence,
        LICENCE_URLS.get(spec.licence),
        spec.attribution,
        used_in,
    )


LICENCE_NAMES = {
    "CC-BY-4.0": PROJECT_LICENCE_NAME,
    GPL_3: "GNU General Public License v3.0 only",
}


def licence_url(identifier: str) -> str:
    """The licence text of one SPDX identifier of a published collection."""
    return LICENCE_URLS.get(identifier, PROJECT_LICENCE_URL)


# Which published collections carry data of each source dataset (SOURCES.md). Only the
# districts collection republishes mapsPERU's polygons; the names and codes of districts and
# provinces in every collection come from the INEI/RENIEC ubigeo table (geodata.seed.areas), and
# which district a point lies in is a fact computed against the polygons, not a copy of them.
THIRD_PARTY_LAYERS: tuple[ThirdPartyLayer, ...] = (
    _layer(catalog.SIASAR_SYSTEMS, ("water-systems",)),
    _layer(catalog.SIASAR_CATCHMENTS, ("water-sources",)),
    _layer(catalog.DISTRICTS, ("districts",)),
    _layer(catalog.PROVINCES, ()),
    _layer(catalog.DEPARTMENT, ()),
    _layer(catalog.INEI_2007_DISTRICTS, ()),
    _layer(catalog.UBIGEO, ("districts", "water-systems", "water-sources", "reports")),
    _layer(catalog.PARAMETERS, ()),
)
