"""No personal data of a reporter in any public endpoint or download.

Reports carrying a name, phone, e-mail, device fingerprint, idempotency key and private photo
paths are stored; then every GET route of the application (with its path parameters filled from
the data) and every published file (raw, gunzipped and read through GDAL) is searched for them.
"""

from __future__ import annotations

import gzip
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyogrio.raw
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Route

from geodata.models import ReportCategory, ReportStatus
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.privacy import REDACTED, mask_contacts, public_description_sql
from tests.ogc_support import PrivateReport, add_report, publish, use_publish_dir

CITIZEN_TYPED_CONTACT = "Llamen al 987 654 321 o escriban a vecina.soto@gmail.com, gracias"
TYPED_CONTACTS = ["987 654 321", "vecina.soto@gmail.com"]
OPEN_DATA = ("/ogc", "/downloads")
PRIVATE_KEYS = re.compile(r"reporter|fingerprint|idempotency|photo_path|thumbnail|contact")


@pytest.fixture
def private_reports(session: Session) -> list[PrivateReport]:
    return [
        add_report(session, ReportStatus.VALIDATED),
        add_report(session, ReportStatus.ACKNOWLEDGED, with_geometry=False),
        add_report(session, ReportStatus.CLOSED, category=ReportCategory.LEAK),
        add_report(session, ReportStatus.RECEIVED),
        add_report(session, ReportStatus.REJECTED),
        add_report(session, ReportStatus.VALIDATED, description=CITIZEN_TYPED_CONTACT),
    ]


@pytest.fixture
def published(
    session: Session, client: TestClient, tmp_path: Path, private_reports: object
) -> Path:
    directory = tmp_path / "publish"
    publish(session, directory)
    use_publish_dir(client, directory)
    return directory


def secrets_of(reports: list[PrivateReport]) -> list[str]:
    return [s for r in reports for s in r.secrets] + TYPED_CONTACTS


def find_secrets(text: str, secrets: list[str]) -> list[str]:
    lowered = text.lower()
    return [s for s in secrets if s.lower() in lowered]


def path_values(reports: list[PrivateReport], published: Path) -> dict[str, list[str]]:
    codes = [r.tracking_code for r in reports]
    files = sorted(p.name for p in published.iterdir() if not p.name.startswith("."))
    generic = [*codes, "SIASAR-160421", "SIASAR-F-474147", "130101", "no_water"]
    return {
        "collection_id": list(COLLECTIONS),
        "feature_id": generic,
        "name": files,
        "fmt": ["json", "xml"],
        "ubigeo": ["130101"],
        # vector tiles: the world tile and the zoom-3 tile over La Libertad
        "tms_id": ["WebMercatorQuad"],
        "z": ["0", "3"],
        "y": ["0", "4"],
        "x": ["0", "2"],
        "": generic,  # any other path parameter of any router
    }


def get_routes(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """Paths of every GET route, including those of included routers (any nesting)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from get_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute | Route) and "GET" in (route.methods or ()):
            yield prefix + route.path


def get_paths(client: TestClient, values: dict[str, list[str]]) -> Iterator[str]:
    for route_path in get_routes(client.app.routes):  # type: ignore[attr-defined]
        if route_path.startswith("/api/docs") or route_path == "/docs/oauth2-redirect":
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", route_path)
        choices = [values.get(n, values[""]) for n in names]
        for combination in itertools.product(*choices):
            path = route_path
            for name, value in zip(names, combination, strict=True):
                path = re.sub(r"{" + name + r"(?::\w+)?}", value, path)
            yield path


def walk(client: TestClient, published: Path, reports: list[PrivateReport]) -> dict[str, str]:
    """GET every route (open-data ones also as HTML and with a large page): path -> body."""
    bodies: dict[str, str] = {}
    for path in get_paths(client, path_values(reports, published)):
        queries = ["", "?f=html"] if path.startswith(OPEN_DATA) else [""]
        if path.endswith("/items"):
            queries.append("?limit=10000")
        for query in queries:
            response = client.get(path + query, headers={"Accept-Encoding": "gzip"})
            if path.startswith(OPEN_DATA):
                assert response.status_code < 500, f"{path}{query}: {response.status_code}"
            bodies[path + query] = response.content.decode("utf-8", "replace")
    return bodies


def test_no_public_route_shows_the_private_fields_of_a_report(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    """Name, phone, e-mail, fingerprint, device key and photo paths: nowhere, on any route."""
    secrets = [s for r in private_reports for s in r.secrets]
    bodies = walk(client, published, private_reports)
    assert len(bodies) > 60
    leaks = {path: find_secrets(body, secrets) for path, body in bodies.items()}
    assert {path: found for path, found in leaks.items() if found} == {}


def test_open_data_routes_mask_contacts_typed_into_descriptions(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    bodies = walk(client, published, private_reports)
    open_data = {p: b for p, b in bodies.items() if p.startswith(OPEN_DATA)}
    assert len(open_data) > 40
    leaks = {path: find_secrets(body, TYPED_CONTACTS) for path, body in open_data.items()}
    assert {path: found for path, found in leaks.items() if found} == {}


def test_other_public_routes_mask_contacts_typed_into_descriptions(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    bodies = walk(client, published, private_reports)
    leaks = {path: find_secrets(body, TYPED_CONTACTS) for path, body in bodies.items()}
    assert {path: found for path, found in leaks.items() if found} == {}


def test_every_published_file_is_free_of_personal_data(
    published: Path, private_reports: list[PrivateReport]
) -> None:
    secrets = secrets_of(private_reports)
    files = [p for p in published.iterdir() if not p.name.startswith(".")]
    assert len(files) > 25
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        leaked = find_secrets(data.decode("utf-8", "replace"), secrets)
        assert leaked == [], f"{path.name} leaks {leaked}"
        if path.suffix == ".gpkg":
            _, _, _, fields = pyogrio.raw.read(path)
            text = " ".join(str(value) for column in fields for value in column)
            assert find_secrets(text, secrets) == [], path.name


def test_public_report_properties_are_only_the_public_ones(
    client: TestClient, published: Path
) -> None:
    body = client.get("/ogc/collections/reports/items").json()
    assert body["features"]
    for feature in body["features"]:
        assert set(feature["properties"]) == set(COLLECTIONS["reports"].properties)
        assert not [k for k in feature["properties"] if PRIVATE_KEYS.search(k)]
    geojson = orjson.loads((published / "reports.geojson").read_bytes())
    for feature in geojson["features"]:
        assert not [k for k in feature["properties"] if PRIVATE_KEYS.search(k)]


def test_unvalidated_and_rejected_reports_are_not_published(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    body = client.get("/ogc/collections/reports/items").json()
    public = {f["id"] for f in body["features"]}
    for report in private_reports:
        shown = report.status not in (ReportStatus.RECEIVED, ReportStatus.REJECTED)
        assert (report.tracking_code in public) is shown
        response = client.get(f"/ogc/collections/reports/items/{report.tracking_code}")
        assert response.status_code == (200 if shown else 404)
    assert body["numberMatched"] == 4
    in_file = {
        f["id"] for f in orjson.loads((published / "reports.geojson").read_bytes())["features"]
    }
    assert in_file == public


def test_contacts_typed_into_a_description_are_masked(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    code = private_reports[-1].tracking_code
    feature = client.get(f"/ogc/collections/reports/items/{code}").json()
    description = feature["properties"]["description"]
    assert description == f"Llamen al {REDACTED} o escriban a {REDACTED}, gracias"


def test_report_without_coordinates_is_placed_at_its_system(
    client: TestClient, published: Path, private_reports: list[PrivateReport]
) -> None:
    feature = client.get(
        f"/ogc/collections/reports/items/{private_reports[1].tracking_code}"
    ).json()
    assert feature["geometry"]["coordinates"] == [-78.7386, -8.00815]
    assert feature["properties"]["system_code"] == "SIASAR-160421"


MASKED_FORMATS = [
    "llamar al 987654321",
    "+51 987 654 321 urgente",
    "fijo 044-123456",
    "fijo (044) 123-456 de la JASS",
    "(044)123456",
    "044/123456",
    "cel 987/654/321",
    "987.654.321",
    "9 8 7 6 5 4 3 2 1",
    "(+51) 987-654-321",
    "0051 987 654 321",
    "+51-44-123456",
    "51987654321",
    "Lima 01 234 5678",
    "llamen al 234567",  # a local landline without its area code
    "cel \uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12\uff11",  # full-width digits
    "correo: ana_p@hotmail.com.",
    "ana.perez\uff20gmail\uff0ecom",  # full-width @ and dot
    "escribir a juan(at)gmail.com",
    "juan [at] gmail dot com",
    "juan {at} gmail [dot] com",
    "maria arroba hotmail punto com",
    "maria (arroba) hotmail (punto) pe",
    "Juan @ Gmail . Com",
]
KEPT_AS_WRITTEN = [
    "cloro 0.2 mg/L desde 2024, 3 días sin agua",
    "pH 7.2, turbidez 5 NTU, 1500 personas",
    "visita el 2024-05-12 a las 10:30",
    "el 12/05/2024 no llegó",
    "el agua llega at 5 pm",
    "reservorio de 250 m3 y 40 familias",
]


@pytest.mark.parametrize("text", MASKED_FORMATS)
def test_phone_numbers_and_emails_in_any_format_are_masked(text: str) -> None:
    masked = mask_contacts(text)
    assert REDACTED in masked
    assert sum(c.isdigit() for c in masked) <= 2, masked  # no number survives in part
    assert "@" not in masked and "\uff20" not in masked
    assert not re.search(r"gmail|hotmail", masked, re.I), masked


@pytest.mark.parametrize("text", KEPT_AS_WRITTEN)
def test_readings_dates_and_counts_are_not_masked(text: str) -> None:
    assert mask_contacts(text) == text


def test_open_data_sql_reads_the_one_stored_public_text(session: Session) -> None:
    """The rule runs once, in Python, when the text is set (or at validation); the SQL of the
    open data only reads the stored result, so the two can never disagree."""
    from sqlalchemy import select

    from geodata.models import Report

    report = add_report(session, ReportStatus.VALIDATED, description="fijo (044) 123-456")
    stored = session.scalar(
        select(public_description_sql(Report.public_description)).where(
            Report.tracking_code == report.tracking_code
        )
    )
    assert stored == mask_contacts("fijo (044) 123-456") == f"fijo {REDACTED}"
