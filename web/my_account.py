"""``/cuenta``: my account: change my password, see and end my open sessions, make and revoke
my API keys (a new key is shown once, on the answer to the form that made it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import Principal, clear_session_cookie
from api.deps import SessionDep
from geodata.accounts import self_service
from geodata.accounts.errors import ApiKeyNotFound, PasswordsDiffer, SessionNotFound, WeakPassword
from geodata.accounts.passwords import MIN_PASSWORD_LENGTH
from geodata.accounts.roles import role_label
from web.account_forms import CallerDep, message_page, page, page_language, refused
from web.i18n import gettext_for

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
MAX_FIELD = 500
DONE = ("password", "session", "key")


def account_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    status_code: int = 200,
    **context: Any,
) -> Response:
    language = page_language(request)
    assert principal.auth_session is not None
    done = request.query_params.get("hecho")
    return page(
        request,
        "accounts/account.html",
        language,
        status_code=status_code,
        path="/cuenta",
        account=principal.account,
        who=principal.label,
        roles=[(role_label(b.role, language), b.name) for b in principal.scope.bodies]
        + [
            (role_label(r, language), None)
            for r in sorted(principal.scope.roles)
            if not any(b.role is r for b in principal.scope.bodies)
        ],
        is_admin=principal.scope.can_manage_accounts(),
        sessions=self_service.open_sessions(session, principal.account.id),
        current_session_id=principal.auth_session.id,
        keys=self_service.api_keys(session, principal.account.id),
        csrf=principal.auth_session.csrf_token,
        minimum=MIN_PASSWORD_LENGTH,
        done=done if done in DONE else None,
        **context,
    )


def back(done: str) -> RedirectResponse:
    return RedirectResponse(f"/cuenta?hecho={done}", status_code=303)


@router.get("/cuenta")
def my_account(request: Request, session: SessionDep, caller: CallerDep) -> Response:
    answer = refused(request, page_language(request), caller)
    if answer is not None:
        return answer
    assert caller.principal is not None
    return account_page(request, session, caller.principal)


@router.post("/cuenta/contrasena")
def change_password(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    current: Text = "",
    new: Text = "",
    confirmation: Text = "",
) -> Response:
    language = page_language(request)
    answer = refused(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None and principal.auth_session is not None
    try:
        error = self_service.change_password(
            session,
            principal.account,
            current[:MAX_FIELD],
            new[:MAX_FIELD],
            confirmation[:MAX_FIELD],
            keep_session_id=principal.auth_session.id,
            actor=principal.label,
        )
    except (WeakPassword, PasswordsDiffer) as raised:
        error = raised
    if error is not None:
        return account_page(
            request,
            session,
            principal,
            status_code=error.status_code,
            password_error=error.localized(language),
        )
    return back("password")


@router.post("/cuenta/sesiones/{session_id}/cerrar")
def end_session(
    request: Request, session: SessionDep, caller: CallerDep, session_id: int
) -> Response:
    language = page_language(request)
    answer = refused(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None and principal.auth_session is not None
    _ = gettext_for(language).gettext
    try:
        self_service.revoke_own_session(session, principal.account, session_id, principal.label)
    except SessionNotFound as error:
        return message_page(request, language, error, link=("/cuenta", _("My account")))
    if session_id == principal.auth_session.id:
        response = RedirectResponse("/ingresar?salio=1", status_code=303)
        clear_session_cookie(response)
        return response
    return back("session")


@router.post("/cuenta/claves")
def new_key(request: Request, session: SessionDep, caller: CallerDep, name: Text = "") -> Response:
    answer = refused(request, page_language(request), caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None
    secret, key = self_service.new_api_key(session, principal.account, name[:100], principal.label)
    return account_page(request, session, principal, new_key=secret, new_key_name=key.name)


@router.post("/cuenta/claves/{key_id}/revocar")
def revoke_key(request: Request, session: SessionDep, caller: CallerDep, key_id: int) -> Response:
    language = page_language(request)
    answer = refused(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None
    _ = gettext_for(language).gettext
    try:
        self_service.revoke_api_key(session, principal.account, key_id, principal.label)
    except ApiKeyNotFound as error:
        return message_page(request, language, error, link=("/cuenta", _("My account")))
    return back("key")
