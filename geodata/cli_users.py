"""``yaku users``: create the first administrator, add and invite staff, list, deactivate.

The password is read from standard input, never from the command line (which other users of the
machine can see): two hidden prompts on a terminal, the first line from a pipe. No password
makes an invitation link instead. Exit codes: 0 done, 1 the database cannot be used, 2 bad
input (role, identifier, password, unknown system code or district), 3 conflict (the account
exists, the last administrator), 4 no such account.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from sqlalchemy.exc import OperationalError, ProgrammingError

from geodata.accounts import admin, invitations
from geodata.accounts.errors import AccountNotFound, NoSuchAccount, PasswordsDiffer
from geodata.accounts.roles import body_for_role, parse_role, role_label
from geodata.accounts.service import add_membership, create_account
from geodata.database import session_scope
from geodata.errors import AppError
from geodata.i18n import translations
from geodata.settings import get_settings

EXIT_DATABASE, EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_NOT_FOUND = 1, 2, 3, 4


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"yaku users ({user})"


def _exit_code(error: AppError) -> int:
    if isinstance(error, AccountNotFound | NoSuchAccount):
        return EXIT_NOT_FOUND
    return EXIT_CONFLICT if error.status_code == 409 else EXIT_BAD_INPUT


def read_password(language: str) -> str:
    """Two hidden prompts on a terminal (they must agree); else the first line of stdin."""
    _ = translations(language).gettext
    if sys.stdin.isatty():
        first = getpass.getpass(_("Password (empty: send an invitation link instead): "))
        if first and getpass.getpass(_("The same password again: ")) != first:
            raise PasswordsDiffer()
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _run(args: argparse.Namespace, action: Callable[[], int]) -> int:
    _ = translations(args.lang).gettext
    try:
        return action()
    except AppError as error:
        print(f"yaku users: {error.localized(args.lang)}", file=sys.stderr)
        return _exit_code(error)
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(
            "yaku users: "
            + _(
                "The database cannot be used ({reason}). Is it running and migrated (yaku migrate)?"
            ).format(reason=reason),
            file=sys.stderr,
        )
        return EXIT_DATABASE


def cmd_add(args: argparse.Namespace, invite_only: bool = False) -> int:
    _ = translations(args.lang).gettext

    def action() -> int:
        role = parse_role(args.role)
        password = "" if invite_only else read_password(args.lang)
        with session_scope() as session:
            provider = body_for_role(
                session, role, system_code=args.provider_of, district=args.district
            )
            if password:
                account = create_account(
                    session,
                    args.identifier,
                    display_name=args.name or "",
                    password=password,
                    actor=_actor(),
                )
                add_membership(session, account, role, provider, actor=_actor())
                link = None
            else:
                invitation = invitations.invite(
                    session,
                    args.identifier,
                    role,
                    provider,
                    display_name=args.name or "",
                    actor=_actor(),
                    language=args.lang,
                )
                account, link = invitation.account, invitation.link
            who = account.email or account.phone
            label = role_label(role, args.lang) + (f": {provider.name}" if provider else "")
        print(_("Account {id} ({who}): {role}.").format(id=account.id, who=who, role=label))
        if link:
            print(
                _("Invitation link (works once, for {days} days):").format(
                    days=get_settings().invitation_days
                )
            )
            print(link)
        return 0

    return _run(args, action)


def cmd_invite(args: argparse.Namespace) -> int:
    return cmd_add(args, invite_only=True)


def cmd_list(args: argparse.Namespace) -> int:
    return _run(args, lambda: _list(args))


def _list(args: argparse.Namespace) -> int:
    _ = translations(args.lang).gettext
    with session_scope() as session:
        items = admin.list_accounts(session)
        rows = []
        for item in items:
            a = item.account
            roles = "; ".join(
                role_label(m.role, args.lang) + (f": {m.provider_name}" if m.provider_name else "")
                for m in item.memberships
            ) or _("no role")
            state = _("active") if a.is_active else _("deactivated")
            if a.is_active and item.invited:
                state = _("invited")
            last = a.last_sign_in_at.strftime("%Y-%m-%d %H:%M") if a.last_sign_in_at else "-"
            rows.append((str(a.id), a.email or a.phone or "", a.display_name, state, last, roles))
    header = (
        "id",
        _("e-mail or phone"),
        _("name"),
        _("state"),
        _("last sign-in (UTC)"),
        _("roles"),
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    if not rows:
        print(_("No accounts yet. Create the first administrator with:"))
        print("  yaku users add EMAIL --role administrator")
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    _ = translations(args.lang).gettext

    def action() -> int:
        with session_scope() as session:
            account = admin.find_by_reference(session, args.account)
            admin.deactivate(session, account, actor=_actor(), actor_account_id=None)
            who = account.email or account.phone
        print(
            _("Account {id} ({who}) deactivated; its sessions and API keys no longer work.").format(
                id=account.id, who=who
            )
        )
        return 0

    return _run(args, action)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    default_language = get_settings().default_language
    users = sub.add_parser("users", help="staff accounts: add, invite, list, deactivate")
    users_sub = users.add_subparsers(dest="users_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", default=default_language, choices=["es", "en"])

    for name, func, text in (
        ("add", cmd_add, "create an account (password on stdin; empty: an invitation link)"),
        ("invite", cmd_invite, "create an account and print its invitation link"),
    ):
        p = users_sub.add_parser(name, help=text)
        p.add_argument("identifier", metavar="EMAIL|PHONE")
        p.add_argument(
            "--role",
            required=True,
            help="administrator, moderator, provider_staff, atm_staff, health or analyst",
        )
        body = p.add_mutually_exclusive_group()
        body.add_argument(
            "--provider-of",
            metavar="SYSTEM_CODE",
            help="provider staff: the provider of this water system",
        )
        body.add_argument("--district", metavar="UBIGEO", help="ATM staff: this district's ATM")
        p.add_argument("--name", help="the person's name")
        common(p)
        p.set_defaults(func=func)

    p = users_sub.add_parser("list", help="accounts, roles, bodies, last sign-in")
    common(p)
    p.set_defaults(func=cmd_list)

    p = users_sub.add_parser("deactivate", help="deactivate an account; its sessions end")
    p.add_argument("account", metavar="ID|EMAIL|PHONE")
    common(p)
    p.set_defaults(func=cmd_deactivate)
