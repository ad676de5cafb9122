"""Signing in without a password, and the signed-in person's own account.

``POST /api/v1/auth/code`` sends a one-time code and magic link (the same answer whether or not
an account has the identifier); ``POST /api/v1/auth/code/verify`` turns the code into a bearer
token or a browser session; ``POST /api/v1/auth/invitations/accept`` sets the password of an
invited account. Then the account's own sessions, API keys and password.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response

from api.auth import Principal, PrincipalDep, set_session_cookie
from api.deps import LanguageDep, SessionDep
from api.errors import error_response
from api.schemas.accounts import (
    ApiKeyIn,
    CodeRequestIn,
    CodeVerifyIn,
    InvitationAcceptIn,
    PasswordChangeIn,
)
from api.schemas.responses import JSON
from api.signin import client_address, open_session
from geodata.accounts import invitations, passwordless, self_service
from geodata.accounts.errors import KeysCannotManageKeys
from geodata.i18n import translate
from geodata.models import Account, ApiKey, AuthSession
from geodata.notify import deliver
from geodata.settings import get_settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
NO_STORE = {"Cache-Control": "no-store"}
CODE_SENT = (
    "If an account has this e-mail or phone, a code and a link are on their way. "
    "They are valid for {minutes} minutes."
)


def session_response(
    session: SessionDep, request: Request, account: Account, kind: str, status_code: int = 200
) -> JSON:
    """A bearer token in the body, or a browser session in the ``yaku_session`` cookie (with
    the CSRF token that the browser's scripts echo in ``X-CSRF-Token``)."""
    issued = open_session(session, request, account, kind)
    if kind == "bearer":
        body: dict[str, Any] = {
            "access_token": issued.token,
            "token_type": "bearer",
            "expires_in": get_settings().bearer_token_hours * 3600,
        }
        return JSON(body, status_code=status_code, headers=NO_STORE)
    response = JSON(
        {"csrf_token": issued.record.csrf_token, "expires_at": issued.record.expires_at},
        status_code=status_code,
        headers=NO_STORE,
    )
    set_session_cookie(response, issued.token)
    return response


@router.post(
    "/code",
    summary="Send a one-time sign-in code and magic link to an e-mail or phone",
    status_code=202,
    response_class=JSON,
    responses={429: {"description": "Too many codes asked for this identifier or address."}},
)
def request_code(
    body: CodeRequestIn,
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    background: BackgroundTasks,
) -> Response:
    result = passwordless.request_code(
        session, body.identifier, client_address(request), language, body.next
    )
    if result.error is not None:
        return error_response(request, result.error)  # committed: the request is counted
    if result.message is not None:
        background.add_task(deliver, result.message)  # after the commit, never before
    minutes = get_settings().sign_in_code_minutes
    return JSON(
        {"sent": True, "message": translate(CODE_SENT, language).format(minutes=minutes)},
        status_code=202,
    )


@router.post(
    "/code/verify",
    summary="A bearer token or browser session for a one-time code",
    response_class=JSON,
    responses={401: {"description": "Wrong or expired code."}, 429: {"description": "Locked."}},
)
def verify_code(body: CodeVerifyIn, request: Request, session: SessionDep) -> Response:
    result = passwordless.verify_code(session, body.identifier, body.code)
    if result.account is None:
        assert result.error is not None
        return error_response(request, result.error)  # committed: the failure is counted
    return session_response(session, request, result.account, body.session)


@router.post(
    "/invitations/accept",
    summary="Choose the password of an invited account and sign in",
    response_class=JSON,
    responses={404: {"description": "Unknown link."}, 410: {"description": "Used or expired."}},
)
def accept_invitation(body: InvitationAcceptIn, request: Request, session: SessionDep) -> JSON:
    account = invitations.accept(session, body.token, body.password)
    return session_response(session, request, account, body.session)


def session_row(record: AuthSession, current: AuthSession | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "created_at": record.created_at,
        "last_seen_at": record.last_seen_at,
        "expires_at": record.expires_at,
        "user_agent": record.user_agent,
        "current": current is not None and record.id == current.id,
    }


def key_row(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
    }


def as_person(principal: Principal) -> None:
    """Keys act for integrations; they may not make keys or change the password."""
    if principal.via == "api_key":
        raise KeysCannotManageKeys()


@router.get("/sessions", summary="My open sessions and tokens", response_class=JSON)
def my_sessions(principal: PrincipalDep, session: SessionDep) -> JSON:
    rows = self_service.open_sessions(session, principal.account.id)
    return JSON({"sessions": [session_row(r, principal.auth_session) for r in rows]})


@router.delete("/sessions/{session_id}", summary="End one of my sessions", status_code=204)
def end_my_session(principal: PrincipalDep, session: SessionDep, session_id: int) -> Response:
    self_service.revoke_own_session(session, principal.account, session_id, principal.label)
    return Response(status_code=204)


@router.get("/api-keys", summary="My active API keys", response_class=JSON)
def my_api_keys(principal: PrincipalDep, session: SessionDep) -> JSON:
    keys = self_service.api_keys(session, principal.account.id)
    return JSON({"api_keys": [key_row(k) for k in keys]})


@router.post(
    "/api-keys", summary="A new API key (shown once)", status_code=201, response_class=JSON
)
def new_api_key(body: ApiKeyIn, principal: PrincipalDep, session: SessionDep) -> JSON:
    as_person(principal)
    secret, key = self_service.new_api_key(session, principal.account, body.name, principal.label)
    return JSON({**key_row(key), "key": secret}, status_code=201, headers=NO_STORE)


@router.delete("/api-keys/{key_id}", summary="Revoke one of my API keys", status_code=204)
def revoke_my_api_key(principal: PrincipalDep, session: SessionDep, key_id: int) -> Response:
    self_service.revoke_api_key(session, principal.account, key_id, principal.label)
    return Response(status_code=204)


@router.post("/password", summary="Change my password", status_code=204)
def change_password(
    body: PasswordChangeIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> Response:
    as_person(principal)
    keep = principal.auth_session.id if principal.auth_session else None
    error = self_service.change_password(
        session,
        principal.account,
        body.current_password,
        body.new_password,
        None,
        keep_session_id=keep,
        actor=principal.label,
    )
    if error is not None:
        return error_response(request, error)  # committed: the failure is counted
    return Response(status_code=204)
