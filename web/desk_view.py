"""Rendering helpers of the desk pages: the common context, labels, times in Peru, errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from geodata.errors import AppError
from web.i18n import LANGUAGE_COOKIE, gettext_for
from web.pages import category_labels, render, status_labels

# Peru keeps UTC-5 all year (no daylight saving since 1994): staff read local times.
PERU = timezone(timedelta(hours=-5), "PET")


def peru_time(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "—"
    local = value.astimezone(PERU)
    return local.strftime("%d/%m/%Y %H:%M") if with_time else local.strftime("%d/%m/%Y")


def action_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    return {
        "acknowledge": _("Acknowledge: we have seen it"),
        "in_progress": _("We are working on it"),
        "resolve": _("Resolved"),
        "reject": _("Reject (spam or not a water problem): say why"),
        "note": _("Only a note"),
        "confirm": _("Confirm: the problem is real"),
        "reassign": _("Not ours: hand it to another body"),
        "merge": _("Duplicate of another report"),
        "reopen": _("Reopen"),
        "retry": _("Validate again"),
    }


def role_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    return {
        "administrator": _("Administrator"),
        "moderator": _("Moderator"),
        "provider_staff": _("Provider staff"),
        "atm_staff": _("ATM staff"),
        "health": _("Health surveillance"),
        "analyst": _("Analyst"),
    }


def form_text(form: dict[str, str], field: str) -> str | None:
    value = form.get(field)
    return value if isinstance(value, str) else None


def page(
    template: str, language: str, request: Request, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A desk page: private (never cached), with the session's CSRF token for its forms."""
    principal = context.get("principal")
    record = getattr(principal, "auth_session", None)
    body = render(
        template,
        language,
        path=request.url.path,
        csrf=record.csrf_token if record is not None else "",
        when=peru_time,
        statuses=status_labels(language),
        categories=category_labels(language),
        action_names=action_labels(language),
        role_names=role_labels(language),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie"
    if request.query_params.get("lang") in ("es", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def problem(language: str, error: AppError, path: str) -> HTMLResponse:
    """An error page in the user's language, with the error's HTTP status."""
    body = render("desk/problem.html", language, path=path, message=error.localized(language))
    response = HTMLResponse(body, status_code=error.status_code)
    response.headers["Cache-Control"] = "no-store"
    return response
