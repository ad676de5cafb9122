"""Viewport data: server-side clusters carrying colour counts, points when zoomed in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import Provider, WaterSystem
from tests.web.conftest import add_report
from web.queries import MAX_CELLS

REGION = "-80.0,-9.2,-76.6,-6.7"


def test_low_zoom_clusters_count_every_system(client: TestClient, session: Session) -> None:
    total = session.scalar(select(func.count()).select_from(WaterSystem))
    data = client.get(f"/map/data?bbox={REGION}&zoom=7").json()
    features = data["features"]
    assert 0 < len(features) < total
    counted = sum(f["properties"].get("count", 1) for f in features)
    assert counted == total == 371
    for feature in features:
        props = feature["properties"]
        if "count" in props:
            colours = sum(props.get(c, 0) for c in ("green", "yellow", "red", "grey"))
            assert colours == props["count"]


def test_high_zoom_returns_points_with_codes_and_status(client: TestClient) -> None:
    data = client.get(f"/map/data?bbox={REGION}&zoom=17").json()
    assert len(data["features"]) == 371
    point = data["features"][0]
    assert point["geometry"]["type"] == "Point"
    assert point["properties"]["code"].startswith("SIASAR-")
    assert point["properties"]["status"] in {"green", "yellow", "red", "grey"}


def test_response_is_bounded_whatever_the_bbox(client: TestClient) -> None:
    data = client.get("/map/data?bbox=-180,-90,180,90&zoom=12").json()
    assert len(data["features"]) <= MAX_CELLS


def test_sources_layer_and_etag(client: TestClient) -> None:
    response = client.get(f"/map/data?layer=sources&bbox={REGION}&zoom=17")
    assert response.status_code == 200
    assert all(f["properties"]["kind"] == "source" for f in response.json()["features"])
    again = client.get(
        f"/map/data?layer=sources&bbox={REGION}&zoom=17",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_bad_viewport_is_a_400(client: TestClient) -> None:
    assert client.get("/map/data?bbox=1,2,3&zoom=7").status_code == 400
    assert client.get("/map/data?bbox=5,5,1,1&zoom=7").status_code == 400
    assert client.get("/map/data?bbox=a,b,c,d&zoom=7").status_code == 400
    assert client.get(f"/map/data?bbox={REGION}&zoom=99").status_code == 400


def test_popup_shows_provider_contact_and_open_reports(
    client: TestClient, session: Session
) -> None:
    system = session.scalars(
        select(WaterSystem).where(WaterSystem.provider_id.is_not(None)).limit(1)
    ).one()
    provider = session.get(Provider, system.provider_id)
    assert provider is not None
    provider.contact_phone = "+51 944 000 111"
    report = add_report(session, system)
    add_report(session, system, status="received")  # not yet checked: not public
    data = client.get(f"/map/popup/{system.code}").json()
    assert data["name"] == system.name
    assert data["provider"] == provider.name
    assert data["contact_phone"] == "+51 944 000 111"
    assert data["communities"] == system.communities
    assert data["status"] == system.status.value
    assert [r["code"] for r in data["reports"]] == [report.tracking_code]
    assert "vecina-secreta" not in str(data)
    assert client.get("/map/popup/NOPE-1").status_code == 404


def test_reports_layer_shows_only_public_open_reports(client: TestClient, session: Session) -> None:
    system = session.scalars(select(WaterSystem).limit(1)).one()
    public = add_report(session, system)
    hidden = add_report(session, system, status="received")
    data = client.get(f"/map/reports?bbox={REGION}").json()
    codes = {f["properties"]["code"] for f in data["features"]}
    assert public.tracking_code in codes and hidden.tracking_code not in codes
    assert "vecina-secreta" not in str(data) and "description" not in str(data)


def test_districts_carry_colour_shares(client: TestClient) -> None:
    data = client.get("/map/districts").json()
    assert len(data["features"]) == 84
    props = data["features"][0]["properties"]
    assert {"name", "systems", "pct_red", "green", "grey"} <= props.keys()
    assert sum(f["properties"]["systems"] for f in data["features"]) <= 371
