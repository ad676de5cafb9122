"""Spatial queries shared by seeding, import and report validation."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Float,
    ScalarSelect,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from geodata.models import SRID, AdminArea, AreaLevel, WaterSource, WaterSystem


def to_db_geometry(geometry: BaseGeometry) -> Any:
    return from_shape(geometry, srid=SRID)


def point(lon: float, lat: float) -> Any:
    return from_shape(Point(lon, lat), srid=SRID)


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """Valid MultiPolygon from any polygonal input (repairs self-intersections)."""
    if not geometry.is_valid:
        geometry = make_valid(geometry)
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    parts: list[Polygon] = []
    for g in polygons:
        parts.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    if not parts:
        raise ValueError("geometry has no polygonal part")
    return MultiPolygon(parts)


def district_for(point_expr: ColumnElement[Any] | Any) -> ScalarSelect[int]:
    """The district of a point, deterministic where mapsPERU districts overlap or leave gaps.

    Districts whose polygon covers the point come first. Where two overlap, the independent
    INEI-2007 limits (``reference_geom``) decide; then the one the point lies deepest inside. A
    point in a gap goes to the nearest district; equal distances fall back to the lower ubigeo.
    """
    area = aliased(AdminArea)
    covers = func.ST_Covers(area.geom, point_expr)
    reference_covers = func.coalesce(func.ST_Covers(area.reference_geom, point_expr), False)
    closeness = case(
        (covers, -func.ST_Distance(func.ST_Boundary(area.geom), point_expr)),
        else_=func.ST_Distance(area.geom, point_expr),
    )
    return (
        select(area.id)
        .where(area.level == AreaLevel.DISTRICT)
        .order_by(covers.desc(), reference_covers.desc(), closeness, area.ubigeo_inei)
        .limit(1)
        .scalar_subquery()
    )


def assign_districts(session: Session, only_missing: bool = False) -> int:
    """Set ``district_id`` of systems and sources from their points; returns rows changed."""
    changed = 0
    for model in (WaterSystem, WaterSource):
        choice = district_for(model.geom)
        stmt = (
            update(model)
            .values(district_id=choice)
            .where(model.district_id.is_distinct_from(choice))
        )
        if only_missing:
            stmt = stmt.where(model.district_id.is_(None))
        result = session.execute(stmt, execution_options={"synchronize_session": False})
        changed += int(getattr(result, "rowcount", 0))
    return changed


def points_table(points: list[tuple[float, float]]) -> Any:
    """Many lon/lat pairs as a derived table (lon, lat, ord) bound as two arrays: one query for
    a whole file or batch instead of one per point."""
    lons, lats = zip(*points, strict=True)
    return (
        func.unnest(
            bindparam("lons", [float(x) for x in lons], type_=ARRAY(Float)),
            bindparam("lats", [float(y) for y in lats], type_=ARRAY(Float)),
        )
        .table_valued("lon", "lat", with_ordinality="ord")
        .render_derived()
    )


def districts_for_points(session: Session, points: list[tuple[float, float]]) -> list[int | None]:
    """District ids for many lon/lat points in one query, in input order."""
    if not points:
        return []
    table = points_table(points)
    pt = func.ST_SetSRID(func.ST_MakePoint(table.c.lon, table.c.lat), SRID)
    rows = session.execute(select(table.c.ord, district_for(pt)).order_by(table.c.ord)).all()
    return [district for _, district in rows]


def region_checks(
    session: Session, points: list[tuple[float, float]], tolerance_m: float
) -> list[tuple[bool, bool]]:
    """For each lon/lat: is it within ``tolerance_m`` of the region (the department polygon), and
    would it be if longitude and latitude were swapped (a common data-entry mistake)?"""
    if not points:
        return []
    table = points_table(points)
    region = (
        select(func.ST_Union(AdminArea.geom))
        .where(AdminArea.level == AreaLevel.DEPARTMENT)
        .scalar_subquery()
    )
    region_geog = func.geography(region)

    def near(lon: Any, lat: Any) -> Any:
        pt = func.geography(func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID))
        valid = (lon.between(-180, 180)) & (lat.between(-90, 90))
        return case((valid, func.ST_DWithin(region_geog, pt, tolerance_m)), else_=False)

    rows = session.execute(
        select(
            table.c.ord, near(table.c.lon, table.c.lat), near(table.c.lat, table.c.lon)
        ).order_by(table.c.ord)
    ).all()
    return [(bool(inside), bool(swapped)) for _, inside, swapped in rows]
