"""Administrators manage accounts: list, invite, add and remove roles, deactivate, reactivate.

Every route asks the caller's scope (``can_manage_accounts``): 401 without sign-in, 403 for
any other role, 404 for an account or membership that does not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Response

from api.auth import Principal, PrincipalDep
from api.deps import LanguageDep, SessionDep
from api.schemas.accounts import BodyIn, InviteIn
from api.schemas.responses import JSON
from geodata.accounts import admin, invitations
from geodata.accounts.errors import Forbidden
from geodata.accounts.roles import body_for_role
from geodata.accounts.service import add_membership
from geodata.notify import deliver

router = APIRouter(prefix="/api/v1/admin/accounts", tags=["administration"])
NO_STORE = {"Cache-Control": "no-store"}


def administrator(principal: Principal) -> Principal:
    if not principal.scope.can_manage_accounts():
        raise Forbidden()
    return principal


def account_row(item: admin.AccountView) -> dict[str, Any]:
    account = item.account
    return {
        "id": account.id,
        "email": account.email,
        "phone": account.phone,
        "display_name": account.display_name,
        "is_active": account.is_active,
        "invited": item.invited,
        "locked_until": account.locked_until,
        "last_sign_in_at": account.last_sign_in_at,
        "created_at": account.created_at,
        "memberships": [
            {
                "id": m.id,
                "role": m.role.value,
                "provider_id": m.provider_id,
                "provider_name": m.provider_name,
            }
            for m in item.memberships
        ],
    }


def invitation_body(invitation: invitations.Invitation) -> dict[str, Any]:
    return {
        "invitation_link": invitation.link,
        "invitation_expires_at": invitation.expires_at,
    }


@router.get("", summary="Every account, its roles and bodies", response_class=JSON)
def list_accounts(principal: PrincipalDep, session: SessionDep) -> JSON:
    administrator(principal)
    return JSON({"accounts": [account_row(v) for v in admin.list_accounts(session)]})


@router.post(
    "",
    summary="Invite a person: an account with its role and a link to choose a password",
    status_code=201,
    response_class=JSON,
)
def invite(
    body: InviteIn,
    principal: PrincipalDep,
    session: SessionDep,
    language: LanguageDep,
    background: BackgroundTasks,
) -> JSON:
    administrator(principal)
    provider = body_for_role(
        session,
        body.role,
        system_code=body.system_code,
        district=body.district,
        provider_id=body.provider_id,
    )
    invitation = invitations.invite(
        session,
        body.identifier,
        body.role,
        provider,
        display_name=body.display_name,
        actor=principal.label,
        actor_account_id=principal.account.id,
        language=language,
    )
    background.add_task(deliver, invitation.message)
    row = account_row(admin.view(session, invitation.account))
    return JSON({**row, **invitation_body(invitation)}, status_code=201, headers=NO_STORE)


@router.get("/{account_id}", summary="One account", response_class=JSON)
def get_account(principal: PrincipalDep, session: SessionDep, account_id: int) -> JSON:
    administrator(principal)
    return JSON(account_row(admin.view(session, admin.get_account(session, account_id))))


@router.post(
    "/{account_id}/invitation",
    summary="A new invitation link for an account that has not signed up",
    status_code=201,
    response_class=JSON,
)
def resend_invitation(
    principal: PrincipalDep,
    session: SessionDep,
    language: LanguageDep,
    background: BackgroundTasks,
    account_id: int,
) -> JSON:
    administrator(principal)
    account = admin.get_account(session, account_id)
    invitation = invitations.resend(
        session,
        account,
        actor=principal.label,
        actor_account_id=principal.account.id,
        language=language,
    )
    background.add_task(deliver, invitation.message)
    return JSON(invitation_body(invitation), status_code=201, headers=NO_STORE)


@router.post(
    "/{account_id}/memberships",
    summary="Give the account a role (for a body, where the role has one)",
    status_code=201,
    response_class=JSON,
)
def add_role(body: BodyIn, principal: PrincipalDep, session: SessionDep, account_id: int) -> JSON:
    administrator(principal)
    account = admin.get_account(session, account_id)
    provider = body_for_role(
        session,
        body.role,
        system_code=body.system_code,
        district=body.district,
        provider_id=body.provider_id,
    )
    add_membership(
        session,
        account,
        body.role,
        provider,
        actor=principal.label,
        actor_account_id=principal.account.id,
    )
    return JSON(account_row(admin.view(session, account)), status_code=201)


@router.delete(
    "/{account_id}/memberships/{membership_id}", summary="Take a role away", status_code=204
)
def remove_role(
    principal: PrincipalDep, session: SessionDep, account_id: int, membership_id: int
) -> Response:
    administrator(principal)
    account = admin.get_account(session, account_id)
    admin.remove_membership(
        session,
        account,
        membership_id,
        actor=principal.label,
        actor_account_id=principal.account.id,
    )
    return Response(status_code=204)


@router.post(
    "/{account_id}/deactivate",
    summary="Deactivate: its sessions and API keys stop working at once",
    response_class=JSON,
)
def deactivate(principal: PrincipalDep, session: SessionDep, account_id: int) -> JSON:
    administrator(principal)
    account = admin.get_account(session, account_id)
    admin.deactivate(session, account, actor=principal.label, actor_account_id=principal.account.id)
    return JSON(account_row(admin.view(session, account)))


@router.post("/{account_id}/reactivate", summary="Reactivate an account", response_class=JSON)
def reactivate(principal: PrincipalDep, session: SessionDep, account_id: int) -> JSON:
    administrator(principal)
    account = admin.get_account(session, account_id)
    admin.reactivate(session, account, actor=principal.label, actor_account_id=principal.account.id)
    return JSON(account_row(admin.view(session, account)))
