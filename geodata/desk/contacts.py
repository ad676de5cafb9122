"""A body's public contact details (phone, WhatsApp, e-mail, office hours), filled and
corrected by its own staff or an administrator. They are public: citizens need to reach it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.errors import Forbidden, InvalidIdentifier, ProviderNotFound
from geodata.accounts.identifiers import normalize_email, normalize_phone
from geodata.accounts.scope import Scope
from geodata.desk import errors
from geodata.errors import AppError
from geodata.models import Provider

FIELDS = ("contact_phone", "contact_whatsapp", "contact_email", "office_hours")
MAX_OFFICE_HOURS = 200


def public_contact(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.id,
        "name": provider.name,
        "kind": provider.kind.value,
        "is_district_atm": provider.is_district_atm,
        "contact_phone": provider.contact_phone,
        "contact_whatsapp": provider.contact_whatsapp,
        "contact_email": provider.contact_email,
        "office_hours": provider.office_hours,
        "contact_updated_at": provider.contact_updated_at,
    }


def editable_provider(session: Session, scope: Scope, provider_id: int) -> Provider:
    """The body, if this account may edit its details (404 when there is no such body: bodies
    are public, so naming one reveals nothing; 403 when it is not the account's)."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ProviderNotFound()
    if not scope.can_edit_provider(provider_id):
        raise Forbidden()
    return provider


def _cleaned(field: str, value: str | None) -> str | None:
    """A field as stored: None to clear it; phones in E.164, e-mails in lower case."""
    text = (value or "").strip()
    if not text:
        return None
    failures: dict[str, AppError] = {
        "contact_phone": errors.InvalidContactPhone(),
        "contact_whatsapp": errors.InvalidContactWhatsApp(),
        "contact_email": errors.InvalidContactEmail(),
    }
    try:
        if field in ("contact_phone", "contact_whatsapp"):
            return normalize_phone(text)
        if field == "contact_email":
            return normalize_email(text)
    except InvalidIdentifier:
        raise failures[field] from None
    if len(text) > MAX_OFFICE_HOURS:
        raise errors.TextTooLong(limit=MAX_OFFICE_HOURS)
    return " ".join(text.split())


def update_contact(
    session: Session,
    scope: Scope,
    provider_id: int,
    changes: dict[str, str | None],
    *,
    who: str,
    now: datetime | None = None,
) -> Provider:
    """Apply the given fields (missing ones are kept, empty ones cleared). Every value is
    checked before any is written."""
    provider = editable_provider(session, scope, provider_id)
    cleaned = {f: _cleaned(f, changes[f]) for f in FIELDS if f in changes}
    changed = {f: v for f, v in cleaned.items() if getattr(provider, f) != v}
    if changed:
        before = {f: getattr(provider, f) for f in changed}
        for name, value in changed.items():
            setattr(provider, name, value)
        provider.contact_updated_at = now or datetime.now(UTC)
        audit.record(
            session,
            "provider.contact_updated",
            who,
            account_id=scope.account_id,
            subject_type="provider",
            subject_id=provider.id,
            before=before,
            after=changed,
        )
        session.flush()
    return provider
