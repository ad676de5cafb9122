"""What the account pages share: who is calling, CSRF for forms, the page after sign-in, and
rendering a page that no cache keeps.

Forms of signed-in people carry their session's CSRF token (checked as ``PrincipalDep`` does).
Forms shown before sign-in (sign in, code, invitation) have no session yet: they carry an HMAC
of a random ``yaku_csrf`` cookie under the secret key, so another site can neither read nor
forge the pair (login CSRF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Principal, check_csrf, resolve_principal
from api.deps import SessionDep
from geodata.accounts.errors import CsrfFailed, Forbidden
from geodata.accounts.tokens import keyed_digest, new_token, same
from geodata.errors import AppError
from geodata.settings import get_settings
from web.i18n import LANGUAGE_COOKIE, choose_language, gettext_for
from web.pages import render

FORM_COOKIE = "yaku_csrf"


def page_language(request: Request) -> str:
    lang = request.query_params.get("lang")
    return choose_language(
        lang if lang in ("es", "en") else None, request.cookies.get(LANGUAGE_COOKIE)
    )


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ingresar?next={quote(target, safe='/')}", status_code=303)


# --- forms before sign-in ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormToken:
    cookie: str
    field: str
    new: bool


def form_token(request: Request) -> FormToken:
    cookie = request.cookies.get(FORM_COOKIE) or ""
    new = len(cookie) < 20
    if new:
        cookie = new_token(24)
    return FormToken(cookie, keyed_digest(get_settings().secret_key, "form", cookie), new)


def form_token_ok(request: Request, presented: str) -> bool:
    cookie = request.cookies.get(FORM_COOKIE) or ""
    if len(cookie) < 20 or not presented:
        return False
    return same(presented, keyed_digest(get_settings().secret_key, "form", cookie))


# --- who is calling ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal | None
    csrf_ok: bool


async def page_caller(request: Request, session: SessionDep) -> Caller:
    """The signed-in person (or None) and, for a form post, whether its CSRF token matched."""
    principal = resolve_principal(session, request)
    if principal is None or principal.via != "browser" or principal.auth_session is None:
        return Caller(None, request.method in ("GET", "HEAD"))  # pages know only browsers
    try:
        await check_csrf(request, principal.auth_session)
    except CsrfFailed:
        return Caller(principal, False)
    return Caller(principal, True)


CallerDep = Annotated[Caller, Depends(page_caller)]


# --- rendering --------------------------------------------------------------------------------


def page(
    request: Request,
    template: str,
    language: str,
    status_code: int = 200,
    form: FormToken | None = None,
    path: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page with private content: never stored by a cache (nor by the service worker).
    ``path``: the page's address for the language switch, when the answer is to a form."""
    body = render(
        template,
        language,
        path=path or request.url.path,
        form_csrf=form.field if form else "",
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie"
    if form is not None and form.new:
        response.set_cookie(
            FORM_COOKIE,
            form.cookie,
            httponly=True,
            samesite="lax",
            secure=get_settings().base_url.startswith("https://"),
        )
    if request.query_params.get("lang") in ("es", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def message_page(
    request: Request,
    language: str,
    error: AppError,
    status_code: int | None = None,
    link: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A page that says what went wrong, in the person's language, and where to go on."""
    _ = gettext_for(language).gettext
    return page(
        request,
        "accounts/message.html",
        language,
        status_code=status_code or error.status_code,
        title=_("Something went wrong") if error.status_code != 403 else _("Not allowed"),
        text=error.localized(language),
        link=link or ("/ingresar", _("Go to sign in")),
    )


def refused(request: Request, language: str, caller: Caller) -> Response | None:
    """The answer for a caller that may not post this form, or None when it may."""
    if caller.principal is None:
        return sign_in_redirect(request)
    if not caller.csrf_ok:
        _ = gettext_for(language).gettext
        return message_page(request, language, CsrfFailed(), link=(request.url.path, _("Reload")))
    return None


def refused_unless_admin(request: Request, language: str, caller: Caller) -> Response | None:
    answer = refused(request, language, caller)
    if answer is None and caller.principal and not caller.principal.scope.can_manage_accounts():
        _ = gettext_for(language).gettext
        return message_page(request, language, Forbidden(), link=("/cuenta", _("My account")))
    return answer
