"""Citizen pages of messaging, Spanish first: subscribe to a system's or a district's water
status (``/suscribirse``), confirm by the e-mailed link, one-click unsubscribe (GET from the
message's link, POST from a mail client's List-Unsubscribe, RFC 8058), and the answer to
"is it really fixed?" (``/seguimiento/arreglado/{token}``). No address is ever shown."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from geodata.errors import AppError
from geodata.notify import followups, subscriptions
from web.desk_view import page
from web.i18n import LANGUAGE_COOKIE, choose_language

router = APIRouter(include_in_schema=False)
MAX_FIELD = 200


def _language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip()[:MAX_FIELD] or None if isinstance(value, str) else None


def _subscribe_page(
    request: Request, language: str, state: str, status_code: int = 200, **context: Any
) -> Response:
    return page(
        "subscribe.html", language, request, status_code=status_code, state=state, **context
    )


@router.get("/suscribirse", response_class=HTMLResponse)
def subscribe_form(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    system = (request.query_params.get("sistema") or "").strip()[:40] or None
    district = (request.query_params.get("distrito") or "").strip()[:6] or None
    try:
        target = subscriptions.find_target(session, system=system, district=district)
    except AppError as error:
        return _subscribe_page(
            request, language, "error", error.status_code, error=error.localized(language)
        )
    return _subscribe_page(request, language, "form", target=target)


@router.post("/suscribirse", response_class=HTMLResponse)
async def subscribe(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    form = await request.form()
    target = None
    try:
        target = subscriptions.find_target(
            session, system=_field(form, "sistema"), district=_field(form, "distrito")
        )
        contact = _field(form, "contacto") or ""
        subscriptions.subscribe(session, target, contact, language)
    except AppError as error:
        state = "form" if target is not None else "error"
        return _subscribe_page(
            request,
            language,
            state,
            error.status_code,
            target=target,
            error=error.localized(language),
        )
    return _subscribe_page(request, language, "sent", target=target, by_email="@" in contact)


def _token_page(
    request: Request, session: Session, language: str, token: str, confirm: bool
) -> Response:
    try:
        if confirm:
            subscriptions.confirm(session, token)
        else:
            subscriptions.unsubscribe(session, token)
    except AppError as error:
        return _subscribe_page(
            request, language, "error", error.status_code, error=error.localized(language)
        )
    return _subscribe_page(request, language, "confirmed" if confirm else "unsubscribed")


@router.get("/suscripcion/confirmar/{token}", response_class=HTMLResponse)
def confirm(request: Request, session: SessionDep, token: str) -> Response:
    return _token_page(request, session, _language(request), token, confirm=True)


@router.get("/suscripcion/baja/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    return _token_page(request, session, _language(request), token, confirm=False)


@router.post("/suscripcion/baja/{token}", response_class=HTMLResponse)
def unsubscribe_one_click(request: Request, session: SessionDep, token: str) -> Response:
    return _token_page(request, session, _language(request), token, confirm=False)


def _followup_page(
    request: Request, language: str, state: str, status_code: int = 200, **context: Any
) -> Response:
    return page("followup.html", language, request, status_code=status_code, state=state, **context)


@router.get("/seguimiento/arreglado/{token}", response_class=HTMLResponse)
def followup_question(request: Request, session: SessionDep, token: str) -> Response:
    language = _language(request)
    try:
        followup, report = followups.open_question(session, token)
    except AppError as error:
        return _followup_page(
            request, language, "error", error.status_code, error=error.localized(language)
        )
    state = "ask" if followup.answer is None else "answered"
    return _followup_page(request, language, state, token=token, code=report.tracking_code)


@router.post("/seguimiento/arreglado/{token}", response_class=HTMLResponse)
async def followup_answer(request: Request, session: SessionDep, token: str) -> Response:
    language = _language(request)
    form = await request.form()
    choice = _field(form, "respuesta")
    if choice not in ("si", "no"):
        return await _followup_retry(request, session, token, language)
    try:
        report = followups.answer(session, token, fixed=choice == "si")
    except AppError as error:
        return _followup_page(
            request, language, "error", error.status_code, error=error.localized(language)
        )
    state = "thanks_fixed" if choice == "si" else "reopened"
    return _followup_page(request, language, state, code=report.tracking_code)


async def _followup_retry(
    request: Request, session: Session, token: str, language: str
) -> Response:
    try:
        _followup, report = followups.open_question(session, token)
    except AppError as error:
        return _followup_page(
            request, language, "error", error.status_code, error=error.localized(language)
        )
    return _followup_page(request, language, "ask", 400, token=token, code=report.tracking_code)
