"""The provider desk's pages: ``/desk`` (my reports, filters, a small map of my systems),
``/desk/reportes/{code}`` (the whole timeline and the answer form), ``/desk/prestador`` (my
body's public contact details) and ``/desk/plantillas`` (my body's response templates).

Visitors who are not signed in go to ``/ingresar?next=<path>``. Forms post with the session's
CSRF token; every change runs in a savepoint, so a refused one changes nothing and the page
says why in the user's language.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.auth import Principal, check_csrf, resolve_principal
from api.deps import SessionDep
from geodata.accounts.errors import Forbidden
from geodata.desk import contacts, listing, templates
from geodata.desk.actions import Answer, Caller, answer
from geodata.desk.detail import report_detail
from geodata.desk.errors import BodyRequired, UnknownAction
from geodata.desk.indicators import indicators_for
from geodata.desk.rules import Action, find_report
from geodata.desk.systems import reassign_targets
from geodata.errors import AppError
from geodata.models import Provider, ReportCategory, ReportStatus
from geodata.settings import get_settings
from web.desk_view import action_labels, form_text, page, problem
from web.i18n import LANGUAGE_COOKIE, choose_language

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25


def _language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


async def _staff(request: Request, session: Session, language: str) -> Principal | Response:
    """The signed-in member of staff, or the response to give instead (sign in, 403)."""
    principal = resolve_principal(session, request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/ingresar?next={quote(target, safe='')}", status_code=303)
    if not principal.scope.is_staff:
        return problem(language, Forbidden(), request.url.path)
    if principal.via == "browser" and principal.auth_session is not None:
        try:
            await check_csrf(request, principal.auth_session)
        except AppError as error:
            return problem(language, error, request.url.path)
    return principal


def _caller(principal: Principal) -> Caller:
    return Caller(principal.scope, principal.label, "desk")


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _filters(request: Request) -> listing.Filters:
    """The list's filters from the query string; unknown values are ignored, not errors."""
    q = request.query_params
    status = q.get("status") or ""
    category = q.get("category") or ""
    overdue = q.get("overdue")
    district = (q.get("district") or "").strip()
    return listing.Filters(
        status=ReportStatus(status) if status in set(ReportStatus) else None,
        category=ReportCategory(category) if category in set(ReportCategory) else None,
        system=(q.get("system") or "").strip()[:40] or None,
        district=district if len(district) == 6 and district.isdigit() else None,
        min_age_days=min(_int(q.get("min_age_days")) or 0, listing.MAX_AGE_DAYS) or None,
        max_age_days=(
            min(v, listing.MAX_AGE_DAYS) if (v := _int(q.get("max_age_days"))) is not None else None
        ),
        overdue=True if overdue == "1" else None,
    )


@router.get("/desk", response_class=HTMLResponse)
async def desk_home(
    request: Request, session: SessionDep, page_number: Annotated[int, Query(alias="p", ge=1)] = 1
) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    scope = principal.scope
    filters = _filters(request)
    page_number = min(page_number, listing.MAX_OFFSET // PAGE_SIZE)
    found = listing.list_reports(
        session, scope, filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    failed = (
        listing.list_reports(session, scope, listing.Filters(failed=True), limit=20)
        if scope.can_moderate()
        else None
    )
    query = {k: v for k, v in request.query_params.items() if k not in ("p", "lang", "hecho") and v}
    return page(
        "desk/home.html",
        language,
        request,
        principal=principal,
        filters=filters,
        found=found,
        failed=failed,
        page_number=page_number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query=urlencode(query),
        indicators=indicators_for(session, scope)[:20],
        tile_url=get_settings().tile_url or "",
        tile_attribution=get_settings().tile_attribution,
        done=request.query_params.get("hecho"),
    )


def _detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    code: str,
    language: str,
    error: AppError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    scope = principal.scope
    try:
        report = find_report(session, scope, code)
    except AppError as missing:
        return problem(language, missing, request.url.path)
    detail = report_detail(session, scope, report)
    body = scope.body_for(report)
    prefill = templates.prefills(session, body.provider_id if body else None, report.language)
    targets = reassign_targets(session, report)
    return page(
        "desk/report.html",
        language,
        request,
        principal=principal,
        r=detail,
        actions=[(a, action_labels(language)[a]) for a in detail["allowed_actions"]],
        prefill=prefill,
        targets=targets,
        error=error.localized(language) if error else None,
        form=form or {},
        done=request.query_params.get("hecho"),
        status_code=error.status_code if error else 200,
    )


@router.get("/desk/reportes/{code}", response_class=HTMLResponse)
async def desk_report(request: Request, session: SessionDep, code: str) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    return _detail_page(request, session, principal, code, language)


@router.post("/desk/reportes/{code}", response_class=HTMLResponse)
async def desk_answer(request: Request, session: SessionDep, code: str) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    target = form.get("target", "")
    try:
        given = Answer(
            action=Action(form.get("action", "")),
            note=form.get("note"),
            public=form.get("public") == "1",
            provider_id=_int(target),
            escalate=target == "atm",
            duplicate_of=form.get("duplicate_of") or None,
        )
    except ValueError:
        return _detail_page(request, session, principal, code, language, UnknownAction(), form)
    try:
        with session.begin_nested():
            result = answer(session, _caller(principal), code, given)
    except AppError as error:
        return _detail_page(request, session, principal, code, language, error, form)
    done = f"hecho={given.action.value}"
    if not principal.scope.sees(result.report):  # handed on: it left my desk
        return RedirectResponse(f"/desk?{done}", status_code=303)
    return RedirectResponse(f"/desk/reportes/{result.report.tracking_code}?{done}", status_code=303)


def _bodies(session: Session, principal: Principal) -> list[Provider]:
    """The bodies whose details and templates this account edits."""
    ids = sorted({b.provider_id for b in principal.scope.bodies})
    return [p for p in (session.get(Provider, i) for i in ids) if p is not None]


def _chosen_body(
    request: Request, session: Session, principal: Principal, form: dict[str, str] | None = None
) -> Provider | None:
    wanted = _int((form or {}).get("provider_id") or request.query_params.get("provider_id"))
    bodies = _bodies(session, principal)
    if wanted is None:
        return bodies[0] if bodies else None
    provider = session.get(Provider, wanted)
    return provider if provider is not None and principal.scope.can_edit_provider(wanted) else None


def _no_body(principal: Principal) -> AppError:
    """Administrators edit any body but must name one; others have none to edit."""
    if principal.scope.can_manage_accounts():
        return BodyRequired()
    return Forbidden()


@router.get("/desk/prestador", response_class=HTMLResponse)
async def desk_provider(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    return _provider_page(request, session, principal, language)


def _provider_page(
    request: Request,
    session: Session,
    principal: Principal,
    language: str,
    error: AppError | None = None,
    form: dict[str, str] | None = None,
    provider: Provider | None = None,
) -> Response:
    provider = provider or _chosen_body(request, session, principal, form)
    if provider is None:
        return problem(language, _no_body(principal), request.url.path)
    return page(
        "desk/provider.html",
        language,
        request,
        principal=principal,
        provider=provider,
        bodies=_bodies(session, principal),
        form=form or {},
        error=error.localized(language) if error else None,
        done=request.query_params.get("hecho"),
        status_code=error.status_code if error else 200,
    )


@router.post("/desk/prestador", response_class=HTMLResponse)
async def desk_provider_save(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    provider_id = _int(form.get("provider_id"))
    if provider_id is None:
        return problem(language, Forbidden(), request.url.path)
    changes = {f: form_text(form, f) for f in contacts.FIELDS if f in form}
    try:
        with session.begin_nested():
            contacts.update_contact(
                session, principal.scope, provider_id, changes, who=principal.label
            )
    except AppError as error:
        provider = session.get(Provider, provider_id)
        return _provider_page(request, session, principal, language, error, form, provider)
    return RedirectResponse(f"/desk/prestador?provider_id={provider_id}&hecho=1", status_code=303)


@router.get("/desk/plantillas", response_class=HTMLResponse)
async def desk_templates(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    return _templates_page(request, session, principal, language)


def _templates_page(
    request: Request,
    session: Session,
    principal: Principal,
    language: str,
    error: AppError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    provider = _chosen_body(request, session, principal, form)
    if provider is None:
        return problem(language, _no_body(principal), request.url.path)
    return page(
        "desk/templates.html",
        language,
        request,
        principal=principal,
        provider=provider,
        bodies=_bodies(session, principal),
        items=templates.templates_for(session, provider.id, "es"),
        error=error.localized(language) if error else None,
        done=request.query_params.get("hecho"),
        status_code=error.status_code if error else 200,
    )


@router.post("/desk/plantillas", response_class=HTMLResponse)
async def desk_templates_save(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    provider_id = _int(form.get("provider_id"))
    key = form.get("key", "")
    if provider_id is None:
        return problem(language, Forbidden(), request.url.path)
    try:
        with session.begin_nested():
            if form.get("op") == "revert":
                templates.revert_template(
                    session, principal.scope, provider_id, key, who=principal.label
                )
            else:
                templates.save_template(
                    session,
                    principal.scope,
                    provider_id,
                    key,
                    title=form.get("title", ""),
                    body=form.get("body", ""),
                    who=principal.label,
                )
    except AppError as error:
        return _templates_page(request, session, principal, language, error, form)
    return RedirectResponse(
        f"/desk/plantillas?provider_id={provider_id}&hecho={quote(key)}", status_code=303
    )
