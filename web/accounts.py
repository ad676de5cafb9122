"""Sign-in pages: ``/ingresar`` (password, or a code sent by e-mail or SMS), the code page, the
magic link, the invitation link, and ``/salir``.

Each route parses the form, calls one function of ``geodata.accounts`` and maps the result; a
failed try is shown on the same page (and committed: it counts towards the lockout). After
sign-in the browser goes to ``next`` (a path of this site; ``/desk`` by default).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import clear_session_cookie, set_session_cookie
from api.deps import SessionDep
from api.signin import client_address, open_session
from geodata.accounts import invitations, passwordless, self_service
from geodata.accounts.errors import (
    CsrfFailed,
    InvalidIdentifier,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
    PasswordsDiffer,
    WeakPassword,
)
from geodata.accounts.identifiers import parse_identifier
from geodata.accounts.messages import safe_next
from geodata.accounts.passwords import MIN_PASSWORD_LENGTH
from geodata.accounts.signin import authenticate_password
from geodata.models import Account
from geodata.notify import deliver, mask_address
from geodata.settings import get_settings
from web.account_forms import (
    CallerDep,
    form_token,
    form_token_ok,
    message_page,
    page,
    page_language,
    refused,
)
from web.i18n import gettext_for

router = APIRouter(include_in_schema=False)
MAX_FIELD = 500
Text = Annotated[str, Form()]


def _clip(value: str) -> str:
    return value[:MAX_FIELD]


def signed_in(session: SessionDep, request: Request, account: Account, next_path: str) -> Response:
    issued = open_session(session, request, account, "browser")
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(response, issued.token)
    response.headers["Cache-Control"] = "no-store"
    return response


def signin_page(
    request: Request,
    language: str,
    next_path: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return page(
        request,
        "accounts/signin.html",
        language,
        status_code=status_code,
        form=form_token(request),
        next=safe_next(next_path),
        minutes=get_settings().sign_in_code_minutes,
        **context,
    )


def code_page(
    request: Request,
    language: str,
    identifier: str,
    next_path: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return page(
        request,
        "accounts/code.html",
        language,
        status_code=status_code,
        form=form_token(request),
        identifier=identifier,
        masked=mask_address(identifier) if identifier else "",
        next=safe_next(next_path),
        **context,
    )


def forged(request: Request, language: str) -> Response:
    _ = gettext_for(language).gettext
    return message_page(request, language, CsrfFailed(), link=("/ingresar", _("Reload")))


@router.get("/ingresar")
def signin_form(request: Request, caller: CallerDep, next: str = "") -> Response:
    language = page_language(request)
    who = caller.principal.label if caller.principal else None
    _ = gettext_for(language).gettext
    notice = _("You signed out.") if request.query_params.get("salio") else None
    return signin_page(request, language, next, signed_in_as=who, notice=notice)


@router.post("/ingresar")
def signin_password(
    request: Request,
    session: SessionDep,
    identifier: Text = "",
    password: Text = "",
    next: Text = "",
    csrf_token: Text = "",
) -> Response:
    language = page_language(request)
    if not form_token_ok(request, csrf_token):
        return forged(request, language)
    result = authenticate_password(session, _clip(identifier), password[:MAX_FIELD])
    if result.account is None:
        assert result.error is not None
        return signin_page(
            request,
            language,
            next,
            status_code=result.error.status_code,
            error=result.error.localized(language),
            identifier=_clip(identifier),
        )
    return signed_in(session, request, result.account, next)


@router.post("/ingresar/codigo")
def send_code(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    identifier: Text = "",
    next: Text = "",
    csrf_token: Text = "",
) -> Response:
    language = page_language(request)
    if not form_token_ok(request, csrf_token):
        return forged(request, language)
    try:
        result = passwordless.request_code(
            session, _clip(identifier), client_address(request), language, safe_next(next)
        )
    except InvalidIdentifier as error:
        return signin_page(
            request,
            language,
            next,
            status_code=400,
            code_error=error.localized(language),
            code_identifier=_clip(identifier),
        )
    if result.error is not None:
        return signin_page(
            request,
            language,
            next,
            status_code=result.error.status_code,
            code_error=result.error.localized(language),
            code_identifier=_clip(identifier),
        )
    if result.message is not None:
        background.add_task(deliver, result.message)  # after the commit
    normalized = parse_identifier(identifier).value
    return code_page(request, language, normalized, next, sent=True)


@router.get("/ingresar/codigo")
def code_form(request: Request, next: str = "") -> Response:
    return code_page(request, page_language(request), "", next)


@router.post("/ingresar/codigo/verificar")
def verify_code(
    request: Request,
    session: SessionDep,
    identifier: Text = "",
    code: Text = "",
    next: Text = "",
    csrf_token: Text = "",
) -> Response:
    language = page_language(request)
    if not form_token_ok(request, csrf_token):
        return forged(request, language)
    result = passwordless.verify_code(session, _clip(identifier), code[:20])
    if result.account is None:
        assert result.error is not None
        return code_page(
            request,
            language,
            _clip(identifier).strip(),
            next,
            status_code=result.error.status_code,
            error=result.error.localized(language),
        )
    return signed_in(session, request, result.account, next)


@router.get("/ingresar/enlace/{token}")
def magic_link(request: Request, session: SessionDep, token: str, next: str = "") -> Response:
    language = page_language(request)
    result = passwordless.use_link(session, token[:MAX_FIELD])
    if result.account is None:
        assert result.error is not None
        _ = gettext_for(language).gettext
        return message_page(
            request, language, result.error, link=("/ingresar", _("Ask for a new code"))
        )
    return signed_in(session, request, result.account, next)


@router.get("/ingresar/invitacion/{token}")
def invitation_form(request: Request, session: SessionDep, token: str) -> Response:
    language = page_language(request)
    try:
        account = invitations.check(session, token[:MAX_FIELD])
    except (LinkInvalid, LinkUsed, LinkExpired) as error:
        return message_page(request, language, error)
    return invitation_page(request, language, account, token)


def invitation_page(
    request: Request,
    language: str,
    account: Account,
    token: str,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    return page(
        request,
        "accounts/invitation.html",
        language,
        status_code=status_code,
        form=form_token(request),
        account=account,
        token=token,
        minimum=MIN_PASSWORD_LENGTH,
        error=error,
    )


@router.post("/ingresar/invitacion/{token}")
def accept_invitation(
    request: Request,
    session: SessionDep,
    token: str,
    password: Text = "",
    confirmation: Text = "",
    csrf_token: Text = "",
) -> Response:
    language = page_language(request)
    token = token[:MAX_FIELD]
    if not form_token_ok(request, csrf_token):
        return forged(request, language)
    try:
        account = invitations.accept(session, token, password[:MAX_FIELD], confirmation[:MAX_FIELD])
    except (LinkInvalid, LinkUsed, LinkExpired) as error:
        return message_page(request, language, error)
    except (WeakPassword, PasswordsDiffer) as error:
        account = invitations.check(session, token)
        return invitation_page(
            request, language, account, token, status_code=400, error=error.localized(language)
        )
    return signed_in(session, request, account, "")


@router.get("/salir")
def signout_form(request: Request, caller: CallerDep) -> Response:
    if caller.principal is None or caller.principal.auth_session is None:
        return RedirectResponse("/ingresar", status_code=303)
    return page(
        request,
        "accounts/signout.html",
        page_language(request),
        csrf=caller.principal.auth_session.csrf_token,
        who=caller.principal.label,
    )


@router.post("/salir")
def signout(request: Request, session: SessionDep, caller: CallerDep) -> Response:
    answer = refused(request, page_language(request), caller)
    if answer is not None:
        return answer
    assert caller.principal is not None and caller.principal.auth_session is not None
    self_service.end_session(session, caller.principal.auth_session, caller.principal.label)
    response = RedirectResponse("/ingresar?salio=1", status_code=303)
    clear_session_cookie(response)
    return response
