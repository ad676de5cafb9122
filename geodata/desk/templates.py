"""Response templates per body: the shipped defaults, replaced key by key by the body's own
copy (copy-on-write); choosing an answer on the desk pre-fills its template."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.errors import Forbidden, ProviderNotFound
from geodata.accounts.scope import Scope
from geodata.desk import errors
from geodata.desk.rules import Action
from geodata.i18n import LANGUAGES
from geodata.models import Provider, ResponseTemplate
from geodata.seed.templates import DEFAULTS

MAX_TITLE = 120
MAX_BODY = 2000
KEYS = tuple(d.key for d in DEFAULTS)

# The template an answer pre-fills on the desk's form.
ACTION_TEMPLATE: dict[Action, str] = {
    Action.ACKNOWLEDGE: "received",
    Action.IN_PROGRESS: "in_repair",
    Action.RESOLVE: "resolved",
    Action.REOPEN: "reopened",
    Action.REASSIGN: "not_responsible",
}


def body_of(scope: Scope, provider_id: int | None) -> int:
    """The body an account edits for: the one named, or its only one."""
    if provider_id is not None:
        return provider_id
    bodies = {b.provider_id for b in scope.bodies}
    if len(bodies) != 1:
        raise errors.BodyRequired()
    return bodies.pop()


def templates_for(session: Session, provider_id: int | None, language: str) -> list[dict[str, Any]]:
    """Every template key, the body's copy where it has one, else the default (Spanish when
    the language has none)."""
    language = language if language in LANGUAGES else "es"
    rows = session.scalars(
        select(ResponseTemplate).where(
            (ResponseTemplate.provider_id.is_(None)) | (ResponseTemplate.provider_id == provider_id)
        )
    ).all()
    found = {(r.provider_id, r.key, r.language): r for r in rows}
    owners = [provider_id, None] if provider_id is not None else [None]
    order = [(owner, lang) for owner in owners for lang in dict.fromkeys((language, "es"))]
    items = []
    for key in KEYS:
        row = next((found[(o, key, lang)] for o, lang in order if (o, key, lang) in found), None)
        if row is None:
            continue  # not seeded yet
        items.append(
            {
                "key": key,
                "language": row.language,
                "status": row.status.value if row.status else None,
                "title": row.title,
                "body": row.body,
                "customised": row.provider_id is not None,
            }
        )
    return items


def prefills(session: Session, provider_id: int | None, language: str) -> dict[str, str]:
    """action -> the text its template pre-fills, for the answer form."""
    by_key = {t["key"]: t["body"] for t in templates_for(session, provider_id, language)}
    return {a.value: by_key[k] for a, k in ACTION_TEMPLATE.items() if k in by_key}


def _editable(session: Session, scope: Scope, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ProviderNotFound()
    if not scope.can_edit_provider(provider_id):
        raise Forbidden()
    return provider


def _checked_key(key: str) -> str:
    if key not in KEYS:
        raise errors.TemplateNotFound()
    return key


def save_template(
    session: Session,
    scope: Scope,
    provider_id: int,
    key: str,
    *,
    title: str,
    body: str,
    language: str = "es",
    who: str,
) -> dict[str, Any]:
    """Write the body's own copy of template ``key`` (created on first edit)."""
    _editable(session, scope, provider_id)
    _checked_key(key)
    if language not in LANGUAGES:
        language = "es"
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise errors.TemplateIncomplete()
    if len(title) > MAX_TITLE:
        raise errors.TextTooLong(limit=MAX_TITLE)
    if len(body) > MAX_BODY:
        raise errors.TextTooLong(limit=MAX_BODY)
    default = next(d for d in DEFAULTS if d.key == key)
    row = session.scalars(
        select(ResponseTemplate).where(
            ResponseTemplate.provider_id == provider_id,
            ResponseTemplate.key == key,
            ResponseTemplate.language == language,
        )
    ).first()
    if row is None:
        row = ResponseTemplate(
            provider_id=provider_id, key=key, language=language, status=default.status
        )
        session.add(row)
    row.title, row.body = title, body
    session.flush()
    audit.record(
        session,
        "template.saved",
        who,
        account_id=scope.account_id,
        subject_type="provider",
        subject_id=provider_id,
        key=key,
        language=language,
    )
    return {"key": key, "language": language, "title": title, "body": body, "customised": True}


def revert_template(
    session: Session, scope: Scope, provider_id: int, key: str, *, language: str = "es", who: str
) -> bool:
    """Drop the body's copy: the default applies again. True when there was a copy."""
    _editable(session, scope, provider_id)
    _checked_key(key)
    removed = session.execute(
        delete(ResponseTemplate)
        .where(
            ResponseTemplate.provider_id == provider_id,
            ResponseTemplate.key == key,
            ResponseTemplate.language == language,
        )
        .returning(ResponseTemplate.id)
    ).first()
    if removed is not None:
        audit.record(
            session,
            "template.reverted",
            who,
            account_id=scope.account_id,
            subject_type="provider",
            subject_id=provider_id,
            key=key,
            language=language,
        )
    return removed is not None
