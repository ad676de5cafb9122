"""The public dashboards: ``/tablero`` (La Libertad), ``/tablero/provincia/{ubigeo}``,
``/tablero/distrito/{ubigeo}``, ``/tablero/responsables``, and the CSV of every figure.

Thin: each page asks ``geodata.dashboards`` for its figures (read from the summary tables),
renders the charts as inline SVG and one template. No personal data: aggregated figures and
bodies' names only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from geodata.dashboards import figures as dash
from geodata.dashboards import tables
from geodata.dashboards.areamap import area_map
from geodata.dashboards.errors import AreaNotFound, FigureNotFound, MonthOutOfRange
from geodata.dashboards.periods import months_of, window
from geodata.errors import AppError
from geodata.evidence.compliance import last_complete_month
from geodata.evidence.fields import PERU
from geodata.models import AreaLevel
from geodata.settings import get_settings
from web import charts
from web.dashboard_view import (
    SLUGS,
    body_rows,
    figures_for,
    legend,
    month_label,
    percent,
)
from web.i18n import gettext_for
from web.pages import render
from web.routes import LangCookie, LangQuery, choose_language, html_page

router = APIRouter(include_in_schema=False)

Ubigeo = Annotated[str, Path(pattern=r"^[0-9]{6}$")]
MonthParam = Annotated[str | None, Query(alias="mes", pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
LEVEL_PATHS = {
    AreaLevel.DEPARTMENT.value: "/tablero",
    AreaLevel.PROVINCE.value: "/tablero/provincia/",
    AreaLevel.DISTRICT.value: "/tablero/distrito/",
}


def area_path(level: str, ubigeo: str) -> str:
    base = LEVEL_PATHS[level]
    return base if level == AreaLevel.DEPARTMENT.value else base + ubigeo


def _page(
    session: SessionDep, level: AreaLevel, ubigeo: str | None, lang: str | None, cookie: str | None
) -> Response:
    language = choose_language(lang, cookie)
    now = datetime.now(UTC)
    path = "/tablero" if ubigeo is None else area_path(level.value, ubigeo)
    try:
        area = dash.find_area(session, level, ubigeo)
    except AreaNotFound as exc:
        body = render(
            "dashboards/area.html", language, path=path, fig=None, error=exc.localized(language)
        )
        return html_page(body, language, remember=lang is not None, status_code=404)
    fig = dash.area_figures(session, area, now)
    csv_base = f"/tablero/datos/{area.ubigeo}"
    body = render(
        "dashboards/area.html",
        language,
        path=path,
        fig=fig,
        figures=figures_for(fig, language, csv_base),
        legend=legend(language, fig),
        area_map=area_map(session, area.id),
        parent_path=(
            area_path(area.parent_level, area.parent_ubigeo)
            if area.parent_level and area.parent_ubigeo
            else None
        ),
        child_path=LEVEL_PATHS.get(
            AreaLevel.PROVINCE.value if level is AreaLevel.DEPARTMENT else AreaLevel.DISTRICT.value
        ),
        percent=percent,
        tz=PERU,
        error=None,
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/tablero", response_class=HTMLResponse)
def region_page(session: SessionDep, lang: LangQuery = None, cookie: LangCookie = None) -> Response:
    return _page(session, AreaLevel.DEPARTMENT, None, lang, cookie)


@router.get("/tablero/provincia/{ubigeo}", response_class=HTMLResponse)
def province_page(
    session: SessionDep, ubigeo: Ubigeo, lang: LangQuery = None, cookie: LangCookie = None
) -> Response:
    return _page(session, AreaLevel.PROVINCE, ubigeo, lang, cookie)


@router.get("/tablero/distrito/{ubigeo}", response_class=HTMLResponse)
def district_page(
    session: SessionDep, ubigeo: Ubigeo, lang: LangQuery = None, cookie: LangCookie = None
) -> Response:
    return _page(session, AreaLevel.DISTRICT, ubigeo, lang, cookie)


def csv_response(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "public, max-age=300",
        },
    )


def _any_area(session: SessionDep, ubigeo: str) -> dash.Area:
    for level in (AreaLevel.DISTRICT, AreaLevel.PROVINCE, AreaLevel.DEPARTMENT):
        try:
            return dash.find_area(session, level, ubigeo)
        except AreaNotFound:
            continue
    raise AreaNotFound()


@router.get("/tablero/datos/{ubigeo}/{figure}.csv")
def figure_csv(
    session: SessionDep, ubigeo: Ubigeo, figure: Annotated[str, Path(max_length=20)]
) -> Response:
    """The numbers of one figure of an area (the table beside its chart), as CSV."""
    key = SLUGS.get(figure)
    if key is None:
        raise FigureNotFound()
    fig = dash.area_figures(session, _any_area(session, ubigeo), datetime.now(UTC))
    text = tables.to_csv(tables.columns(key), tables.rows(fig, key))
    return csv_response(text, f"tablero-{ubigeo}-{figure}.csv")


def _month(value: str | None, now: datetime) -> date:
    months = months_of(window(now))
    if value is None:
        return last_complete_month(now)
    chosen = date(int(value[:4]), int(value[5:7]), 1)
    if chosen not in months:
        raise MonthOutOfRange()
    return chosen


@router.get("/tablero/responsables", response_class=HTMLResponse)
def bodies_page(
    session: SessionDep, lang: LangQuery = None, cookie: LangCookie = None, mes: MonthParam = None
) -> Response:
    language = choose_language(lang, cookie)
    _ = gettext_for(language).gettext
    now = datetime.now(UTC)
    try:
        month = _month(mes, now)
    except AppError as exc:
        body = render(
            "dashboards/bodies.html", language, path="/tablero/responsables",
            error=exc.localized(language), month=None,
        )  # fmt: skip
        return html_page(body, language, remember=lang is not None, status_code=exc.status_code)
    bodies = dash.bodies_of_month(session, month)
    best, worst = dash.ranked(bodies)
    shown = bodies[:40]
    label = month_label(month, language)
    if best and worst:
        sentence = _(
            "In %(month)s, %(best)s answered the most reports in time (%(best_share)s) and "
            "%(worst)s the fewest (%(worst_share)s)."
        ) % {
            "month": label,
            "best": best[0]["name"],
            "best_share": percent(best[0]["share_in_time"], language),
            "worst": worst[0]["name"],
            "worst_share": percent(worst[0]["share_in_time"], language),
        }
    else:
        sentence = _("In %(month)s, no body had enough reports to be compared.") % {"month": label}
    body = render(
        "dashboards/bodies.html",
        language,
        path="/tablero/responsables",
        error=None,
        month=month,
        month_label=label,
        months=[(m, month_label(m, language)) for m in reversed(months_of(window(now)))],
        sentence=sentence,
        chart=charts.hbars(
            [b["name"] for b in shown[:15]],
            [b["share_in_time"] for b in shown[:15]],
            "fig-bodies-s",
        ),
        rows=body_rows(bodies, language),
        best=body_rows(best, language),
        worst=body_rows(worst, language),
        total=len(bodies),
        min_reports=get_settings().dashboard_ranking_min_reports,
        csv=f"/tablero/responsables.csv?mes={month.strftime('%Y-%m')}",
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/tablero/responsables.csv")
def bodies_csv(session: SessionDep, mes: MonthParam = None) -> Response:
    month = _month(mes, datetime.now(UTC))
    text = tables.to_csv(tables.BODY_COLUMNS, dash.bodies_of_month(session, month))
    return csv_response(text, f"tablero-responsables-{month.strftime('%Y-%m')}.csv")
