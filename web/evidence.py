"""Pages of official evidence: the operator's reading form (works offline), the laboratory
upload, "my systems" compliance on the desk, a district's printable monthly report, and the
compliance block of the public system page (``partials/compliance.html``).

Thin: each page asks ``geodata.evidence`` for its data and renders one template. Desk pages
need a signed-in browser; visitors are sent to the sign-in page and brought back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import OptionalPrincipalDep, Principal, PrincipalDep
from api.deps import SessionDep
from api.routers.readings import read_upload
from geodata.accounts.errors import Forbidden
from geodata.errors import AppError
from geodata.evidence import compliance, monthly
from geodata.evidence.errors import FileRefused
from geodata.evidence.labfile import upload_lab_file
from geodata.evidence.overview import desk_systems
from geodata.models import AdminArea, AreaLevel, WaterSystem
from geodata.settings import get_settings
from web.i18n import gettext_for
from web.pages import render
from web.routes import LangCookie, LangQuery, choose_language, html_page

router = APIRouter(include_in_schema=False)

MonthParam = Annotated[str | None, Query(alias="mes", pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
SELECT_LIMIT = 30  # more systems than this: a text field with suggestions instead of a list


def month_names(language: str) -> list[str]:
    _ = gettext_for(language).gettext
    return [
        _("January"), _("February"), _("March"), _("April"), _("May"), _("June"),
        _("July"), _("August"), _("September"), _("October"), _("November"), _("December"),
    ]  # fmt: skip


def month_label(month: date, language: str) -> str:
    return f"{month_names(language)[month.month - 1]} {month.year}"


def sign_in_first(path: str) -> RedirectResponse:
    return RedirectResponse(f"/ingresar?next={quote(path)}", status_code=303)


def csrf_of(principal: Principal) -> str:
    return principal.auth_session.csrf_token if principal.auth_session else ""


def recordable_systems(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The systems whose readings this account may record (its desk, less what it may not)."""
    rows = session.scalars(
        select(WaterSystem).where(principal.scope.systems_clause()).order_by(WaterSystem.name)
    ).all()
    return [
        {"code": s.code, "name": s.name} for s in rows if principal.scope.can_record_readings(s)
    ]


@router.get("/desk/lecturas", response_class=HTMLResponse)
def reading_form(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    sistema: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    if principal is None:
        return sign_in_first("/desk/lecturas")
    language = choose_language(lang, cookie)
    systems = recordable_systems(session, principal)
    body = render(
        "evidence/readings.html",
        language,
        path="/desk/lecturas",
        systems=systems,
        as_list=len(systems) <= SELECT_LIMIT,
        chosen=sistema or (systems[0]["code"] if len(systems) == 1 else ""),
        csrf=csrf_of(principal),
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/desk/laboratorio", response_class=HTMLResponse)
def lab_page(
    principal: OptionalPrincipalDep, lang: LangQuery = None, cookie: LangCookie = None
) -> Response:
    if principal is None:
        return sign_in_first("/desk/laboratorio")
    language = choose_language(lang, cookie)
    allowed = principal.scope.can_upload_lab_results()
    body = render(
        "evidence/lab.html",
        language,
        path="/desk/laboratorio",
        allowed=allowed,
        csrf=csrf_of(principal),
        result=None,
        refused=None,
        max_mb=get_settings().max_lab_file_bytes / 2**20,
    )
    return html_page(body, language, remember=lang is not None, status_code=200 if allowed else 403)


@router.post("/desk/laboratorio", response_class=HTMLResponse)
async def lab_upload(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
    lang: LangQuery = None,
    cookie: LangCookie = None,
) -> Response:
    """The plain form's upload (no script needed): the result or every bad row, as a page."""
    language = choose_language(lang, cookie)
    result, refused, error = None, None, None
    status = 200
    try:
        if not principal.scope.can_upload_lab_results():
            raise Forbidden()
        data = await read_upload(file)
        result = await run_in_threadpool(
            upload_lab_file,
            session,
            principal.scope,
            data,
            file.filename or "laboratorio.csv",
            actor=principal.label,
            account_id=principal.account.id,
        )
        status = 201 if result.loaded else 200
    except FileRefused as exc:
        session.rollback()
        refused = {"message": exc.localized(language), "rows": exc.rendered_rows(language)}
        status = exc.status_code
    except AppError as exc:
        session.rollback()
        error, status = exc.localized(language), exc.status_code
    body = render(
        "evidence/lab.html",
        language,
        path="/desk/laboratorio",
        allowed=principal.scope.can_upload_lab_results(),
        csrf=csrf_of(principal),
        result=result,
        refused=refused,
        error=error,
        max_mb=get_settings().max_lab_file_bytes / 2**20,
    )
    return html_page(body, language, remember=False, status_code=status)


def chosen_month(value: str | None, now: datetime) -> date:
    return monthly.parse_month(value) if value else compliance.last_complete_month(now)


def atm_districts(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The districts whose monthly report this account's desk links (its ATM's, or all)."""
    query = select(AdminArea.ubigeo_inei, AdminArea.name).where(
        AdminArea.level == AreaLevel.DISTRICT
    )
    if not principal.scope.sees_everything:
        query = query.where(AdminArea.id.in_(sorted(principal.scope.district_ids)))
    rows = session.execute(query.order_by(AdminArea.name)).all()
    return [{"ubigeo": u, "name": n} for u, n in rows]


@router.get("/desk/cumplimiento", response_class=HTMLResponse)
def my_systems(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    mes: MonthParam = None,
) -> Response:
    if principal is None:
        return sign_in_first("/desk/cumplimiento")
    language = choose_language(lang, cookie)
    now = datetime.now(UTC)
    month = chosen_month(mes, now)
    body = render(
        "evidence/desk.html",
        language,
        path="/desk/cumplimiento",
        rows=desk_systems(session, principal.scope, month, now),
        month=month,
        month_label=month_label(month, language),
        districts=atm_districts(session, principal),
        settings=get_settings(),
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/distritos/{ubigeo}/informe", response_class=HTMLResponse)
def monthly_page(
    ubigeo: str,
    session: SessionDep,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    mes: MonthParam = None,
) -> Response:
    """A district's monthly report, printable (public: aggregated figures only)."""
    language = choose_language(lang, cookie)
    now = datetime.now(UTC)
    month = chosen_month(mes, now)
    try:
        report = monthly.monthly_report(session, ubigeo, month, now)
    except AppError:
        report = None
    body = render(
        "evidence/monthly.html",
        language,
        path=f"/distritos/{ubigeo}/informe",
        report=report,
        ubigeo=ubigeo,
        month=month,
        month_label=month_label(month, language),
        now=now,
    )
    return html_page(body, language, lang is not None, status_code=200 if report else 404)


def system_compliance(session: Session, system_id: int, language: str) -> dict[str, Any]:
    """What ``partials/compliance.html`` shows on a system's public page."""
    now = datetime.now(UTC)
    last = compliance.last_official(session, [system_id]).get(system_id)
    months = compliance.system_months(session, system_id, months=6)
    return {
        "fresh": compliance.freshness(last, now),
        "days_since": (now - last).days if last else None,
        "months": [(m, month_label(m.month, language)) for m in months],
        "min_samples": get_settings().compliance_min_samples,
    }
