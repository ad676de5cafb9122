"""``/admin/cuentas``: administrators invite staff, give and take roles, deactivate and
reactivate accounts. The same core functions as ``/api/v1/admin/accounts``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import Principal
from api.deps import SessionDep
from geodata.accounts import admin, invitations
from geodata.accounts.roles import body_for_role, parse_role, role_label
from geodata.accounts.service import add_membership
from geodata.errors import AppError
from geodata.models import Role
from geodata.notify import deliver
from web.account_forms import CallerDep, message_page, page, page_language, refused_unless_admin
from web.i18n import gettext_for

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
LIST = "/admin/cuentas"


# Most invitations are for the bodies that answer; administrator comes last, never by default.
ROLE_ORDER = (
    Role.PROVIDER_STAFF,
    Role.ATM_STAFF,
    Role.HEALTH,
    Role.MODERATOR,
    Role.ANALYST,
    Role.ADMINISTRATOR,
)


def role_choices(language: str) -> list[tuple[str, str]]:
    return [(r.value, role_label(r, language)) for r in ROLE_ORDER]


def list_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    status_code: int = 200,
    **context: Any,
) -> Response:
    language = page_language(request)
    assert principal.auth_session is not None
    return page(
        request,
        "accounts/admin_list.html",
        language,
        status_code=status_code,
        path=LIST,
        accounts=admin.list_accounts(session),
        role_choices=role_choices(language),
        role_names={r.value: role_label(r, language) for r in Role},
        csrf=principal.auth_session.csrf_token,
        **context,
    )


def detail_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    account_id: int,
    status_code: int = 200,
    **context: Any,
) -> Response:
    language = page_language(request)
    assert principal.auth_session is not None
    item = admin.view(session, admin.get_account(session, account_id))
    return page(
        request,
        "accounts/admin_detail.html",
        language,
        status_code=status_code,
        path=f"{LIST}/{account_id}",
        item=item,
        role_choices=role_choices(language),
        role_names={r.value: role_label(r, language) for r in Role},
        csrf=principal.auth_session.csrf_token,
        is_self=item.account.id == principal.account.id,
        **context,
    )


def not_found(request: Request, language: str, error: AppError) -> Response:
    _ = gettext_for(language).gettext
    return message_page(request, language, error, link=(LIST, _("All accounts")))


@router.get(LIST)
def accounts_list(request: Request, session: SessionDep, caller: CallerDep) -> Response:
    answer = refused_unless_admin(request, page_language(request), caller)
    if answer is not None:
        return answer
    assert caller.principal is not None
    return list_page(request, session, caller.principal)


@router.post(LIST)
def invite(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    background: BackgroundTasks,
    identifier: Text = "",
    display_name: Text = "",
    role: Text = "",
    system_code: Text = "",
    district: Text = "",
) -> Response:
    language = page_language(request)
    answer = refused_unless_admin(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None
    try:
        with session.begin_nested():  # a refused invitation leaves nothing behind
            parsed = parse_role(role)
            provider = body_for_role(
                session, parsed, system_code=system_code[:40], district=district[:6]
            )
            invitation = invitations.invite(
                session,
                identifier[:200],
                parsed,
                provider,
                display_name=display_name[:200],
                actor=principal.label,
                actor_account_id=principal.account.id,
                language=language,
            )
    except AppError as error:
        return list_page(
            request,
            session,
            principal,
            status_code=error.status_code,
            error=error.localized(language),
            values={
                "identifier": identifier[:200],
                "display_name": display_name[:200],
                "role": role,
                "system_code": system_code[:40],
                "district": district[:6],
            },
        )
    background.add_task(deliver, invitation.message)
    return list_page(request, session, principal, status_code=201, invitation=invitation)


@router.get(LIST + "/{account_id}")
def account_detail(
    request: Request, session: SessionDep, caller: CallerDep, account_id: int
) -> Response:
    language = page_language(request)
    answer = refused_unless_admin(request, language, caller)
    if answer is not None:
        return answer
    assert caller.principal is not None
    try:
        return detail_page(request, session, caller.principal, account_id)
    except AppError as error:
        return not_found(request, language, error)


def _change(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    account_id: int,
    action: str,
    **form: str,
) -> Response:
    """Apply one change to an account and come back to its page (or say what went wrong)."""
    language = page_language(request)
    answer = refused_unless_admin(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None
    actor, actor_id = principal.label, principal.account.id
    try:
        account = admin.get_account(session, account_id)
    except AppError as error:
        return not_found(request, language, error)
    try:
        with session.begin_nested():  # a refused change leaves nothing behind
            if action == "add_role":
                parsed = parse_role(form["role"])
                provider = body_for_role(
                    session,
                    parsed,
                    system_code=form["system_code"][:40],
                    district=form["district"][:6],
                )
                add_membership(
                    session, account, parsed, provider, actor=actor, actor_account_id=actor_id
                )
            elif action == "remove_role":
                admin.remove_membership(
                    session,
                    account,
                    int(form["membership_id"]),
                    actor=actor,
                    actor_account_id=actor_id,
                )
            elif action == "deactivate":
                admin.deactivate(session, account, actor=actor, actor_account_id=actor_id)
            elif action == "reactivate":
                admin.reactivate(session, account, actor=actor, actor_account_id=actor_id)
    except AppError as error:
        return detail_page(
            request,
            session,
            principal,
            account_id,
            status_code=error.status_code,
            error=error.localized(language),
        )
    return RedirectResponse(f"{LIST}/{account_id}?hecho={action}", status_code=303)


@router.post(LIST + "/{account_id}/roles")
def add_role(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    account_id: int,
    role: Text = "",
    system_code: Text = "",
    district: Text = "",
) -> Response:
    return _change(
        request,
        session,
        caller,
        account_id,
        "add_role",
        role=role,
        system_code=system_code,
        district=district,
    )


@router.post(LIST + "/{account_id}/roles/{membership_id}/quitar")
def remove_role(
    request: Request, session: SessionDep, caller: CallerDep, account_id: int, membership_id: int
) -> Response:
    return _change(
        request, session, caller, account_id, "remove_role", membership_id=str(membership_id)
    )


@router.post(LIST + "/{account_id}/desactivar")
def deactivate(
    request: Request, session: SessionDep, caller: CallerDep, account_id: int
) -> Response:
    return _change(request, session, caller, account_id, "deactivate")


@router.post(LIST + "/{account_id}/reactivar")
def reactivate(
    request: Request, session: SessionDep, caller: CallerDep, account_id: int
) -> Response:
    return _change(request, session, caller, account_id, "reactivate")


@router.post(LIST + "/{account_id}/invitacion")
def resend_invitation(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    background: BackgroundTasks,
    account_id: int,
) -> Response:
    language = page_language(request)
    answer = refused_unless_admin(request, language, caller)
    if answer is not None:
        return answer
    principal = caller.principal
    assert principal is not None
    try:
        account = admin.get_account(session, account_id)
        invitation = invitations.resend(
            session,
            account,
            actor=principal.label,
            actor_account_id=principal.account.id,
            language=language,
        )
    except AppError as error:
        return not_found(request, language, error)
    background.add_task(deliver, invitation.message)
    return detail_page(request, session, principal, account_id, invitation=invitation)
