"""A small map of an area, drawn by PostGIS as SVG path data: its outline, the outlines of
its provinces or districts, and its systems as dots by colour.

The systems are gathered on a grid of 1/120 of the area's width (integer cells); a dot is
a cell, in the colour most of its systems have (ties: the worse colour), so the map weighs the
same for 371 or 100,000 systems. The dots are computed with the other figures
(``DOTS``, run by ``refresh``) into ``dashboard_map_dots``; a page reads them and the outline.
Coordinates are degrees (SVG y = -latitude), 3 decimals (about 100 m).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geodata.models import DashboardMapDots

GRID_DIVISIONS = 120
DIGITS = 3
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

# Run by geodata.dashboards.refresh with its ``chain``/``wanted`` CTEs in front.
DOTS = f"""
    box AS (
        SELECT a.id AS area_id,
               greatest(ST_XMax(a.geom) - ST_XMin(a.geom), ST_YMax(a.geom) - ST_YMin(a.geom))
               / {GRID_DIVISIONS} AS cell
        FROM admin_area a WHERE a.id = ANY(:areas)
    ), cells AS (
        SELECT w.area_id, box.cell, floor(ST_X(ws.geom) / box.cell)::int AS cx,
               floor(ST_Y(ws.geom) / box.cell)::int AS cy, ws.status, count(*) AS n
        FROM water_system ws
        JOIN wanted w ON w.district_id = ws.district_id
        JOIN box ON box.area_id = w.area_id
        GROUP BY 1, 2, 3, 4, 5
    ), ranked AS (
        SELECT area_id, cell, cx, cy, status, row_number() OVER (
                   PARTITION BY area_id, cx, cy
                   ORDER BY n DESC,
                            array_position(ARRAY['{"','".join(WORSE_FIRST)}'], status::text)
               ) AS k
        FROM cells
    )
    INSERT INTO dashboard_map_dots (area_id, status, cells, path)
    SELECT area_id, status, count(*), string_agg(
               'M' || round(((cx + 0.5) * cell)::numeric, {DIGITS}) || ' '
               || round((-(cy + 0.5) * cell)::numeric, {DIGITS}) || 'h0', '' ORDER BY cx, cy)
    FROM ranked WHERE k = 1 GROUP BY 1, 2
"""


@dataclass
class AreaMap:
    view_box: str
    outline: str
    parts: str
    dots: dict[str, str] = field(default_factory=dict)  # colour -> SVG path data


def area_map(session: Session, area_id: int) -> AreaMap | None:
    row = session.execute(OUTLINES, {"area": area_id, "digits": DIGITS}).first()
    if row is None or row[4] is None:
        return None
    x0, y0, x1, y1, outline, parts = row
    pad = max(x1 - x0, y1 - y0) * 0.02
    view_box = (
        f"{x0 - pad:.{DIGITS}f} {-y1 - pad:.{DIGITS}f} "
        f"{x1 - x0 + 2 * pad:.{DIGITS}f} {y1 - y0 + 2 * pad:.{DIGITS}f}"
    )
    dots = dict(
        session.execute(
            select(DashboardMapDots.status, DashboardMapDots.path).where(
                DashboardMapDots.area_id == area_id
            )
        ).all()
    )
    return AreaMap(view_box, outline, parts or "", {str(k): v for k, v in dots.items()})
