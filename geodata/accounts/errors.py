"""Errors of accounts and authorisation (rendered by the API's single AppError handler)."""

from __future__ import annotations

from typing import ClassVar

from geodata.errors import AppError, Conflict, InvalidInput, NotFound


class NotSignedIn(AppError):
    status_code = 401
    code = "not_signed_in"
    message = "Sign in to continue."
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "Your role does not allow this."


class CsrfFailed(AppError):
    status_code = 403
    code = "csrf_failed"
    message = "The form expired or did not come from this site. Reload the page and try again."


class BadCredentials(AppError):
    status_code = 401
    code = "bad_credentials"
    message = "The e-mail or phone and password do not match."
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class AccountLocked(AppError):
    status_code = 429
    code = "account_locked"
    message = "Too many failed attempts. Try again in {minutes} minutes."

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(int(self.params.get("minutes", 1)) * 60)}


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"
    message = "Give an e-mail address or a Peruvian phone number."


class AccountExists(Conflict):
    code = "account_exists"
    message = "An account with this e-mail or phone already exists."


class AccountNotFound(NotFound):
    code = "account_not_found"
    message = "No account has this e-mail or phone."


class ProviderNotFound(NotFound):
    code = "provider_not_found"
    message = "No provider matches."


class WeakPassword(InvalidInput):
    code = "weak_password"
    message = "The password must have at least {minimum} characters."
