"""Errors that carry their meaning: an HTTP status, a stable code and a message safe to show.

Messages are English msgids translated through the gettext catalogue (``geodata.i18n``); the
adapters render them in the user's language. Parameters are interpolated after translation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from geodata.i18n import translate


class AppError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "The request could not be processed."
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.text = message or self.message
        self.params = params
        super().__init__(self.text.format(**params) if params else self.text)

    def localized(self, language: str) -> str:
        translated = translate(self.text, language)
        return translated.format(**self.params) if self.params else translated

    def response_headers(self) -> dict[str, str]:
        """HTTP headers the error's response carries (WWW-Authenticate, Retry-After...)."""
        return dict(self.headers)


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class InvalidInput(AppError):
    status_code = 400
    code = "invalid_input"
    message = "Invalid input."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    message = "The upload is too large."


class UnsupportedMedia(AppError):
    status_code = 415
    code = "unsupported_media"
    message = "The file is not a supported image."


class DatabaseUnavailable(AppError):
    """The database cannot be reached (restarting, failed over, overloaded): try again soon."""

    status_code = 503
    code = "database_unavailable"
    message = "The service cannot reach its database right now; please try again in a moment."
    headers: ClassVar[dict[str, str]] = {"Retry-After": "5"}


class UnstorableInput(InvalidInput):
    """Input the database refuses as data: a NUL character, a number out of range."""

    code = "invalid_input"
    message = "Some values cannot be stored (control characters or numbers out of range)."


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests; please try again later."

    def __init__(self, message: str | None = None, retry_after: int = 60, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = max(1, retry_after)

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
