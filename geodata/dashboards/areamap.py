"""A small map of an area, drawn by PostGIS as SVG path data: its outline, the outlines of
its provinces or districts, and its systems as dots by colour.

The systems are gathered on a grid of about 1/120 of the area's width (``ST_SnapToGrid``); a
dot is a cell, in the colour most of its systems have (ties: the worse colour), so the map
weighs the same for 371 or 100,000 systems. Coordinates are degrees (SVG y = -latitude).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

GRID_DIVISIONS = 120
WORSE_FIRST = ("red", "yellow", "green", "grey")

OUTLINES = text(
    """
    WITH area AS (SELECT id, geom FROM admin_area WHERE id = :area),
    box AS (
        SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1,
               ST_YMax(geom) AS y1,
               greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) AS size
        FROM area
    )
    SELECT box.x0, box.y0, box.x1, box.y1,
           ST_AsSVG(ST_SimplifyPreserveTopology(area.geom, box.size / 400), 0, :digits),
           (SELECT string_agg(
                ST_AsSVG(ST_SimplifyPreserveTopology(c.geom, box.size / 300), 0, :digits), ' ')
            FROM admin_area c WHERE c.parent_id = area.id)
    FROM area, box
    """
)

DOTS = text(
    """
    WITH box AS (
        SELECT greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom))
               / :divisions AS cell
        FROM admin_area WHERE id = :area
    ), inside AS (
        SELECT ws.geom, ws.status FROM water_system ws
        WHERE ws.district_id IN (
            SELECT d.id FROM admin_area d LEFT JOIN admin_area p ON p.id = d.parent_id
            WHERE d.level = 'district' AND :area IN (d.id, d.parent_id, p.parent_id)
        )
    ), cells AS (
        SELECT ST_SnapToGrid(inside.geom, box.cell) AS at, inside.status, count(*) AS n
        FROM inside, box GROUP BY 1, 2
    ), ranked AS (
        SELECT at, status, row_number() OVER (
                   PARTITION BY at
                   ORDER BY n DESC, array_position(CAST(:worse AS text[]), status::text)
               ) AS k
        FROM cells
    )
    SELECT status, string_agg(
               'M' || round(ST_X(at)::numeric, :digits) || ' ' || round(-ST_Y(at)::numeric, :digits)
               || 'h0', '' ORDER BY ST_X(at), ST_Y(at))
    FROM ranked WHERE k = 1 GROUP BY status
    """
)


@dataclass
class AreaMap:
    view_box: str
    outline: str
    parts: str
    dots: dict[str, str] = field(default_factory=dict)  # colour -> SVG path data


def area_map(session: Session, area_id: int, digits: int = 3) -> AreaMap | None:
    row = session.execute(OUTLINES, {"area": area_id, "digits": digits}).first()
    if row is None or row[4] is None:
        return None
    x0, y0, x1, y1, outline, parts = row
    pad = max(x1 - x0, y1 - y0) * 0.02
    view_box = (
        f"{x0 - pad:.{digits}f} {-y1 - pad:.{digits}f} "
        f"{x1 - x0 + 2 * pad:.{digits}f} {y1 - y0 + 2 * pad:.{digits}f}"
    )
    dots = {
        str(status): path
        for status, path in session.execute(
            DOTS,
            {
                "area": area_id,
                "divisions": GRID_DIVISIONS,
                "digits": digits,
                "worse": list(WORSE_FIRST),
            },
        )
    }
    return AreaMap(view_box, outline, parts or "", dots)
