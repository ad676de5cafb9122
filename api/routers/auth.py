"""Signing in for programs: ``POST /api/v1/auth/token`` (OAuth2 password flow, FastAPI's
convention), who am I, and signing out (the token or browser session is revoked)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import PrincipalDep, clear_session_cookie
from api.deps import SessionDep
from api.errors import error_response
from api.schemas.responses import JSON
from geodata.accounts.self_service import end_session
from geodata.accounts.sessions import create_session
from geodata.accounts.signin import authenticate_password
from geodata.settings import get_settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    summary="A bearer token for an e-mail or phone and password",
    response_class=JSON,
    responses={401: {"description": "Wrong credentials."}, 429: {"description": "Locked."}},
)
def token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Response:
    result = authenticate_password(session, form.username, form.password)
    if result.account is None:
        assert result.error is not None
        return error_response(request, result.error)  # committed: the failure is counted
    issued = create_session(session, result.account, "bearer", request.headers.get("user-agent"))
    return JSON(
        {
            "access_token": issued.token,
            "token_type": "bearer",
            "expires_in": get_settings().bearer_token_hours * 3600,
        },
        headers={"Cache-Control": "no-store"},
    )


def describe(principal: Any) -> dict[str, Any]:
    account = principal.account
    return {
        "id": account.id,
        "email": account.email,
        "phone": account.phone,
        "display_name": account.display_name,
        "roles": sorted(r.value for r in principal.scope.roles),
        "bodies": [
            {"provider_id": b.provider_id, "name": b.name, "role": b.role.value}
            for b in principal.scope.bodies
        ],
    }


SIGNED_IN: dict[int | str, Any] = {
    401: {"description": "Not signed in (no valid token, key or session)."}
}


@router.get(
    "/me",
    summary="The signed-in account, its roles and bodies",
    response_class=JSON,
    responses=SIGNED_IN,
)
def me(principal: PrincipalDep) -> JSON:
    return JSON(describe(principal))


@router.post(
    "/sign-out",
    summary="Revoke this token or browser session",
    status_code=204,
    responses={**SIGNED_IN, 403: {"description": "A browser session without its CSRF token."}},
)
def sign_out(principal: PrincipalDep, session: SessionDep) -> Response:
    if principal.auth_session is not None:
        end_session(session, principal.auth_session, principal.label)
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response
