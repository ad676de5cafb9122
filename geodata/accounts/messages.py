"""The texts people receive: a sign-in code with its magic link, an invitation.

Short and plain, so that they read well in an SMS on a basic phone as well as in an e-mail.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from geodata.i18n import normalize_language, translations
from geodata.notify import Message
from geodata.settings import get_settings

SIGN_IN_LINK_PATH = "/ingresar/enlace/"
INVITATION_LINK_PATH = "/ingresar/invitacion/"
DEFAULT_NEXT = "/desk"
SIGN_IN_PATHS = ("/ingresar", "/salir")


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """Only a path of this site: no scheme, no host, no ``//`` or ``\\`` that browsers read as
    another host, no control characters, and never back to the sign-in pages."""
    if not value or len(value) > 500 or not value.startswith("/"):
        return default
    if (
        value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value)
    ):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(SIGN_IN_PATHS):
        return default
    return value


def link(path: str, token: str, next_path: str | None = None) -> str:
    url = f"{get_settings().base_url}{path}{token}"
    next_path = safe_next(next_path)
    if next_path != DEFAULT_NEXT:
        url += "?next=" + quote(next_path, safe="/")
    return url


def sign_in_message(
    to: str, code: str, token: str, language: str, next_path: str | None = None
) -> Message:
    _ = translations(normalize_language(language)).gettext
    minutes = get_settings().sign_in_code_minutes
    text = "\n\n".join(
        [
            _("Your Yaku sign-in code is {code}. It is valid for {minutes} minutes.").format(
                code=code, minutes=minutes
            ),
            _("Or open this link to sign in:") + "\n" + link(SIGN_IN_LINK_PATH, token, next_path),
            _("If you did not ask for it, ignore this message; nobody can sign in without it."),
        ]
    )
    return Message(to, _("Your Yaku code: {code}").format(code=code), text)


def invitation_message(
    to: str, token: str, roles: list[str], name: str, invited_by: str, language: str
) -> Message:
    _ = translations(normalize_language(language)).gettext
    days = get_settings().invitation_days
    greeting = _("Hello {name},").format(name=name) if name else _("Hello,")
    text = "\n\n".join(
        [
            greeting,
            _("{who} invites you to answer water reports on Yaku as: {roles}.").format(
                who=invited_by, roles=", ".join(roles)
            ),
            _("Open this link to choose your password (valid for {days} days, once):").format(
                days=days
            )
            + "\n"
            + link(INVITATION_LINK_PATH, token),
        ]
    )
    return Message(to, _("Your invitation to Yaku"), text)
