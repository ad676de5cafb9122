"""Roles by name, their words for people, and the body a membership of each role acts for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.accounts.errors import BodyNotAllowed, BodyRequired, ProviderNotFound, UnknownRole
from geodata.accounts.service import BODY_ROLES, atm_of_district, provider_of_system
from geodata.i18n import normalize_language, translations
from geodata.models import Provider, Role


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise UnknownRole(role=text, roles=", ".join(r.value for r in Role)) from None


def role_label(role: Role, language: str) -> str:
    _ = translations(normalize_language(language)).gettext
    labels = {
        Role.ADMINISTRATOR: _("administrator"),
        Role.MODERATOR: _("moderator"),
        Role.PROVIDER_STAFF: _("provider staff"),
        Role.ATM_STAFF: _("ATM staff"),
        Role.HEALTH: _("health surveillance"),
        Role.ANALYST: _("analyst"),
    }
    return labels[role]


def body_for_role(
    session: Session,
    role: Role,
    *,
    system_code: str | None = None,
    district: str | None = None,
    provider_id: int | None = None,
) -> Provider | None:
    """The body of a new membership: provider staff name a water system (its provider) or a
    provider id; ATM staff a district ubigeo (its municipality) or the ATM's provider id; the
    other roles none."""
    system_code = (system_code or "").strip() or None
    district = (district or "").strip() or None
    given = [v for v in (system_code, district, provider_id) if v is not None]
    if role not in BODY_ROLES:
        if given:
            raise BodyNotAllowed()
        return None
    if len(given) != 1:
        raise BodyRequired()
    if provider_id is not None:
        provider = session.get(Provider, provider_id)
        if provider is None or (role is Role.ATM_STAFF and not provider.is_district_atm):
            raise ProviderNotFound()
        return provider
    if role is Role.PROVIDER_STAFF:
        if system_code is None:
            raise BodyRequired()
        return provider_of_system(session, system_code)
    if district is None:
        raise BodyRequired()
    return atm_of_district(session, district)
