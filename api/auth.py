"""Who is calling: a browser session (cookie, with CSRF on unsafe methods), a bearer token
from ``POST /api/v1/auth/token`` or an API key (``Authorization: Bearer yk_...``).

``PrincipalDep`` resolves one of them to an account and its scope (``geodata.accounts.scope``),
or answers 401. Routes then ask the scope; they never decide permissions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyCookie, HTTPBearer
from sqlalchemy.orm import Session

from api.deps import SessionDep
from geodata.accounts.errors import CsrfFailed, NotSignedIn
from geodata.accounts.scope import Scope, scope_for
from geodata.accounts.sessions import API_KEY_PREFIX, resolve_api_key, resolve_session
from geodata.accounts.tokens import same
from geodata.models import Account, AuthSession
from geodata.settings import get_settings

SESSION_COOKIE = "yaku_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    account: Account
    scope: Scope
    via: str  # "browser", "bearer" or "api_key"
    auth_session: AuthSession | None = None

    @property
    def label(self) -> str:
        """How the audit log names this caller."""
        who = self.account.email or self.account.phone or f"account {self.account.id}"
        return who if self.via != "api_key" else f"{who} (API key)"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def check_csrf(request: Request, record: AuthSession) -> None:
    """Double-submit: an unsafe request from a signed-in browser must echo its session's
    CSRF token in a header (scripts) or a form field (plain forms)."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not presented or not same(presented, record.csrf_token):
        raise CsrfFailed()


def set_session_cookie(response: Response, token: str) -> None:
    """The browser session: HttpOnly, SameSite=Lax, Secure when the service is served over
    https, kept as long as the session lives (``session_days``)."""
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def resolve_principal(session: Session, request: Request) -> Principal | None:
    """The caller, or None when nothing (valid) identifies it. No CSRF check here."""
    token = _bearer(request)
    if token is not None:
        if token.startswith(API_KEY_PREFIX):
            found_key = resolve_api_key(session, token)
            if found_key is None:
                return None
            _, account = found_key
            return Principal(account, scope_for(session, account.id), "api_key")
        found = resolve_session(session, token, "bearer")
        if found is None:
            return None
        record, account = found
        return Principal(account, scope_for(session, account.id), "bearer", record)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = resolve_session(session, cookie, "browser")
        if found is not None:
            record, account = found
            return Principal(account, scope_for(session, account.id), "browser", record)
    return None


# Declared for the OpenAPI document (and the docs' "Authorize" button); the values are read
# from the request by ``resolve_principal``.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from POST /api/v1/auth/token, or an API key (yk_...).",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="browserSession",
    description="A signed-in browser; unsafe requests also send X-CSRF-Token.",
)


async def current_principal(
    request: Request,
    session: SessionDep,
    _bearer: Annotated[object, Security(bearer_scheme)] = None,
    _cookie: Annotated[object, Security(cookie_scheme)] = None,
) -> Principal:
    principal = resolve_principal(session, request)
    if principal is None:
        raise NotSignedIn()
    if principal.via == "browser" and principal.auth_session is not None:
        await check_csrf(request, principal.auth_session)
    return principal


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """For pages that show a sign-in form to visitors and the desk to staff."""
    principal = resolve_principal(session, request)
    if principal is not None and principal.via == "browser" and principal.auth_session:
        await check_csrf(request, principal.auth_session)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
