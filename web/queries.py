"""Read-only queries behind the map: data version, district layer, viewport features, popups.

Everything here returns plain values (dicts, tuples) so the Folium builder and the routes stay
free of SQL. Nothing private is ever selected: no reporter contact or fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from geodata.bbox import BBox
from geodata.messages import shown
from geodata.models import (
    AdminArea,
    AreaLevel,
    Place,
    Provider,
    Report,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.reports import statuses
from geodata.reports.routing import district_atm
from web import answers

COLOURS = (WaterStatus.GREEN, WaterStatus.YELLOW, WaterStatus.RED, WaterStatus.GREY)
CLUSTER_CELL_PX = 56  # grid cell of server-side clustering, in screen pixels
UNCLUSTERED_ZOOM = 17  # from this zoom on every point is sent on its own
MAX_POINTS = 3000  # hard cap on one response at unclustered zooms
MAX_REPORTS = 500
POPUP_REPORTS = 5
MAX_CELLS = 2500  # a bbox far larger than a screen gets coarser cells, never more features
# Simplification of district outlines for the base layer: ~400 m, fine up to zoom 11.
DISTRICT_TOLERANCE_DEG = 0.004
DISTRICT_DECIMALS = 3

PointModel = type[WaterSystem] | type[WaterSource]


def data_version(session: Session) -> str:
    """A short hash that changes whenever anything the map shows changes."""
    parts: list[Any] = []
    for model in (WaterSystem, WaterSource):
        row = session.execute(
            select(func.count(), func.max(model.updated_at), func.max(model.status_updated_at))
        ).one()
        parts.extend(str(v) for v in row)
    reports = session.execute(
        select(func.count(), func.max(Report.updated_at), func.max(Report.id)).where(
            Report.status.in_(statuses.LIVE)
        )
    ).one()
    parts.extend(str(v) for v in reports)
    parts.append(str(session.scalar(select(func.max(Provider.contact_updated_at)))))  # popups
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def district_layer(session: Session) -> dict[str, Any]:
    """Simplified district outlines (GeoJSON) with counts and shares of each colour."""
    counts = (
        select(
            WaterSystem.district_id.label("district_id"),
            func.count().label("n"),
            *[
                func.count().filter(WaterSystem.status == colour).label(colour.value)
                for colour in COLOURS
            ],
        )
        .group_by(WaterSystem.district_id)
        .subquery()
    )
    geometry = func.ST_AsGeoJSON(
        func.ST_SimplifyPreserveTopology(AdminArea.geom, DISTRICT_TOLERANCE_DEG), DISTRICT_DECIMALS
    )
    rows = session.execute(
        select(
            AdminArea.ubigeo_inei,
            AdminArea.name,
            geometry,
            func.coalesce(counts.c.n, 0),
            *[func.coalesce(counts.c[c.value], 0) for c in COLOURS],
        )
        .outerjoin(counts, counts.c.district_id == AdminArea.id)
        .where(AdminArea.level == AreaLevel.DISTRICT)
        .order_by(AdminArea.ubigeo_inei)
    ).all()
    features = []
    for ubigeo, name, geojson, total, *by_colour in rows:
        properties: dict[str, Any] = {"ubigeo": ubigeo, "name": name, "systems": total}
        for colour, count in zip(COLOURS, by_colour, strict=True):
            properties[colour.value] = count
            properties[f"pct_{colour.value}"] = round(100 * count / total) if total else 0
        features.append(
            {"type": "Feature", "geometry": json.loads(geojson), "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def region_bounds(session: Session) -> tuple[float, float, float, float]:
    """west, south, east, north of the department (the whole map's extent)."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(AdminArea.geom)),
            func.ST_YMin(func.ST_Extent(AdminArea.geom)),
            func.ST_XMax(func.ST_Extent(AdminArea.geom)),
            func.ST_YMax(func.ST_Extent(AdminArea.geom)),
        ).where(AdminArea.level == AreaLevel.DISTRICT)
    ).one()
    if box[0] is None:
        return (-79.7, -8.9, -76.8, -6.9)
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def cell_size_deg(zoom: int) -> float:
    """Width in degrees of a ``CLUSTER_CELL_PX`` cell at ``zoom`` (Web Mercator, 256 px tiles)."""
    return 360.0 / (2**zoom) * CLUSTER_CELL_PX / 256.0


def _point_feature(
    code: str, lon: float, lat: float, status: str, kind: str, alert: str | None = None
) -> dict[str, Any]:
    properties: dict[str, Any] = {"code": code, "status": status, "kind": kind}
    if alert:
        properties["alert"] = alert
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        "properties": properties,
    }


def viewport_features(session: Session, model: PointModel, bbox: BBox, zoom: int) -> dict[str, Any]:
    """Systems or sources in ``bbox``: clusters on a fixed grid (with colour counts) or points.

    The grid is anchored at lon/lat 0 so a cell keeps its members while the user pans; the
    response stays bounded by the viewport's area in cells, whatever the number of systems.
    """
    kind = "system" if model is WaterSystem else "source"
    inside = model.geom.op("&&")(bbox.envelope())
    if zoom >= UNCLUSTERED_ZOOM:
        rows = session.execute(
            select(
                model.code,
                func.ST_X(model.geom),
                func.ST_Y(model.geom),
                model.status,
                model.alert_category,
            )
            .where(inside)
            .order_by(model.id)
            .limit(MAX_POINTS)
        ).all()
        points = [_point_feature(c, x, y, str(s), kind, a) for c, x, y, s, a in rows]
        return {"type": "FeatureCollection", "zoom": zoom, "features": points}
    cell = cell_size_deg(zoom)
    while bbox.area_deg2 / (cell * cell) > MAX_CELLS:
        cell *= 2
    gx = func.floor(func.ST_X(model.geom) / cell)
    gy = func.floor(func.ST_Y(model.geom) / cell)
    rows = session.execute(
        select(
            func.count(),
            func.avg(func.ST_X(model.geom)),
            func.avg(func.ST_Y(model.geom)),
            func.min(model.code),
            func.min(cast(model.status, String)),
            func.min(model.alert_category),
            func.count(model.alert_category),
            *[func.count().filter(model.status == colour) for colour in COLOURS],
        )
        .where(inside)
        .group_by(gx, gy)
    ).all()
    features: list[dict[str, Any]] = []
    for count, lon, lat, code, status, alert, alerts, *by_colour in rows:
        if count == 1:
            features.append(_point_feature(code, lon, lat, status, kind, alert))
            continue
        properties: dict[str, Any] = {"count": count, "kind": kind}
        if alerts:
            properties["alerts"] = alerts
        properties.update({c.value: n for c, n in zip(COLOURS, by_colour, strict=True) if n})
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "zoom": zoom, "features": features}


def open_reports_in(session: Session, bbox: BBox) -> dict[str, Any]:
    """Public open reports with a location in ``bbox`` (newest first, capped)."""
    rows = session.execute(
        select(
            Report.tracking_code,
            Report.category,
            Report.status,
            Report.received_at,
            func.ST_X(Report.geom),
            func.ST_Y(Report.geom),
        )
        .where(
            Report.status.in_(statuses.LIVE),
            Report.geom.is_not(None),
            Report.geom.op("&&")(bbox.envelope()),
        )
        .order_by(Report.received_at.desc())
        .limit(MAX_REPORTS)
    ).all()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]},
            "properties": {
                "code": code,
                "category": str(category),
                "status": str(status),
                "received": received.date().isoformat(),
            },
        }
        for code, category, status, received, x, y in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def provider_contact(
    session: Session, provider: Provider | None, district_id: int | None
) -> dict[str, Any]:
    """Who to contact: the provider's public contacts, else the district municipality (ATM)."""
    contact: dict[str, Any] = {}
    if provider is not None:
        contact = {
            "provider": provider.name,
            "provider_kind": str(provider.kind),
            "contact_name": provider.contact_name,
            "contact_phone": provider.contact_phone,
            "contact_whatsapp": provider.contact_whatsapp,
            "contact_email": provider.contact_email,
            "whatsapp_url": whatsapp_url(provider.contact_whatsapp),
            "office_hours": provider.office_hours,
        }
    has_contact = any(contact.get(k) for k in CONTACT_FIELDS)
    if not has_contact and district_id is not None:
        municipality = district_atm(session, district_id)
        if municipality is not None and (provider is None or municipality.id != provider.id):
            contact["fallback"] = municipality.name
            contact["fallback_phone"] = municipality.contact_phone
            contact["fallback_whatsapp"] = municipality.contact_whatsapp
            contact["fallback_email"] = municipality.contact_email
            contact["fallback_whatsapp_url"] = whatsapp_url(municipality.contact_whatsapp)
            contact["fallback_hours"] = municipality.office_hours
    return contact


CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_whatsapp")


def whatsapp_url(number: str | None) -> str | None:
    """A wa.me link (the number in international form, digits only) to open a chat."""
    digits = "".join(c for c in number or "" if c.isdigit())
    return f"https://wa.me/{digits}" if digits else None


def popup_data(session: Session, code: str, language: str = "es") -> dict[str, Any] | None:
    """Everything a popup shows for the system or source with public ``code``; the reason of
    its colour and the answers in ``language``."""
    system = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).first()
    if system is not None:
        return {
            "kind": "system",
            "code": system.code,
            "name": system.name,
            "communities": list(system.communities or []),
            "population": system.population_served,
            **_status(system, language),
            **provider_contact(session, system.provider, system.district_id),
            "district": district_name(session, system.district_id),
            "reports": _brief(
                answers.open_reports(
                    session, Report.system_id == system.id, language, POPUP_REPORTS
                )
            ),
        }
    source = session.scalars(select(WaterSource).where(WaterSource.code == code)).first()
    if source is None:
        return None
    parent = source.system
    return {
        "kind": "source",
        "code": source.code,
        "name": source.name,
        "source_type": str(source.source_type),
        "system": parent.code if parent else None,
        "system_name": parent.name if parent else None,
        **_status(source, language),
        **provider_contact(session, parent.provider if parent else None, source.district_id),
        "district": district_name(session, source.district_id),
        "reports": _brief(
            answers.open_reports(session, Report.source_id == source.id, language, POPUP_REPORTS)
        ),
    }


def _brief(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a popup shows of a report: never its description (it can be long, and a popup is
    no place for a neighbour's words), only what it is about and the last answer."""
    keep = ("code", "category", "status", "received")
    brief = []
    for report in reports:
        item = {k: report[k] for k in keep}
        answer = report["answer"]
        if answer:
            item["answer"] = {k: answer[k] for k in ("status", "by", "date", "note")}
        brief.append(item)
    return brief


def district_name(session: Session, district_id: int | None) -> str | None:
    if district_id is None:
        return None
    return session.scalar(select(AdminArea.name).where(AdminArea.id == district_id))


def _status(subject: WaterSystem | WaterSource, language: str) -> dict[str, Any]:
    return {
        "status": str(subject.status),
        "evidence": str(subject.status_evidence),
        "evidence_at": (
            subject.status_evidence_at.date().isoformat() if subject.status_evidence_at else None
        ),
        "reason": shown(subject.status_reason_msg, subject.status_reason, language),
        # An unconfirmed citizen alert: its topic (a report category or "reading:<parameter>")
        "alert": subject.alert_category,
        "alert_since": subject.alert_since.date().isoformat() if subject.alert_since else None,
    }


def colour_totals(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(cast(WaterSystem.status, String), func.count()).group_by(WaterSystem.status)
    ).all()
    totals = {c.value: 0 for c in COLOURS}
    totals.update({status: n for status, n in rows})
    return totals


def map_places(session: Session) -> dict[str, Any]:
    """Place names for a map without tiles: the provincial capitals (IDEP-2016) and a label
    point inside each district (``ST_PointOnSurface``, always within the polygon)."""
    capitals = session.execute(
        select(Place.name, func.ST_X(Place.geom), func.ST_Y(Place.geom)).order_by(Place.name)
    ).all()
    label = func.ST_PointOnSurface(AdminArea.geom)
    districts = session.execute(
        select(AdminArea.name, func.ST_X(label), func.ST_Y(label))
        .where(AdminArea.level == AreaLevel.DISTRICT)
        .order_by(AdminArea.ubigeo_inei)
    ).all()
    return {
        "capitals": [[name, round(x, 4), round(y, 4)] for name, x, y in capitals],
        "districts": [[name, round(x, 4), round(y, 4)] for name, x, y in districts],
    }
