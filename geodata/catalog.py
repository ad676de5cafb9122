"""The public datasets Yaku loads, with the licence and attribution each one requires.

Paths are relative to the shared data directory (``YAKU_SHARED_DIR``, ``../shared`` by default),
so a deployment can point at its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAPSPERU = "Musaja, J. L. C., mapsPERU (R package 2.0.0), github.com/musajajorge/mapsPERU"
SIASAR = (
    "Data: SIASAR Peru export, via openwashdata/portawaterperu (Judah, Loos, Zhong 2024), CC BY 4.0"
)


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    name: str
    title: str
    relative_path: str
    licence: str
    attribution: str

    def path(self, shared_dir: Path) -> Path:
        return shared_dir / self.relative_path


DEPARTMENT = DatasetSpec(
    "mapsperu-departments",
    "La Libertad department boundary",
    "geodata/boundaries/la_libertad_department.geojson",
    "GPL-3.0",
    MAPSPERU,
)
PROVINCES = DatasetSpec(
    "mapsperu-provinces",
    "La Libertad provinces",
    "geodata/boundaries/la_libertad_provinces.geojson",
    "GPL-3.0",
    MAPSPERU,
)
DISTRICTS = DatasetSpec(
    "mapsperu-districts",
    "La Libertad districts",
    "geodata/boundaries/la_libertad_districts.geojson",
    "GPL-3.0",
    MAPSPERU,
)
INEI_2007_DISTRICTS = DatasetSpec(
    "inei2007-districts",
    "La Libertad districts, INEI-2007 limits (tie-break reference)",
    "geodata/boundaries/alt/juaneladio_inei2007_la_libertad_districts.geojson",
    "MPL-2.0",
    "juaneladio/peru-geojson; source INEI-2007 via MINAM/GEOIDEP",
)
UBIGEO = DatasetSpec(
    "ubigeo-la-libertad",
    "INEI and RENIEC ubigeo codes of La Libertad",
    "domain/ubigeo_la_libertad.csv",
    "CC BY 4.0",
    "INEI and RENIEC public ubigeo tables",
)
PARAMETERS = DatasetSpec(
    "water-quality-parameters",
    "Drinking-water quality parameters: Peru DS 031-2010-SA limits and WHO values",
    "domain/water_quality_parameters.csv",
    "CC BY 4.0",
    "Peru DS 031-2010-SA (Reglamento de la Calidad del Agua para Consumo Humano); WHO GDWQ",
)
SIASAR_SYSTEMS = DatasetSpec(
    "siasar-la-libertad-systems",
    "Rural drinking-water systems of La Libertad (SIASAR survey 2015-16)",
    "geodata/la_libertad_siasar_water_systems.geojson",
    "CC BY 4.0",
    SIASAR,
)
SIASAR_CATCHMENTS = DatasetSpec(
    "siasar-peru-catchments",
    "Water sources (catchments) of SIASAR Peru systems",
    "datasets/siasar_peru/siasar_pe_catchments.csv",
    "CC BY 4.0",
    SIASAR,
)
PROVINCIAL_CAPITALS = DatasetSpec(
    "idep2016-provincial-capitals",
    "Provincial capitals of La Libertad (IDEP-2016)",
    "geodata/la_libertad_provincial_capitals.geojson",
    "MPL-2.0",
    "juaneladio/peru-geojson; source IDEP-2016",
)

SEED_DATASETS = (
    DEPARTMENT,
    PROVINCES,
    DISTRICTS,
    INEI_2007_DISTRICTS,
    UBIGEO,
    PARAMETERS,
    SIASAR_SYSTEMS,
    SIASAR_CATCHMENTS,
    PROVINCIAL_CAPITALS,
)
