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


class CodeInvalid(AppError):
    status_code = 401
    code = "code_invalid"
    message = "The code is wrong or has expired. Ask for a new one."


class TooManyCodeRequests(AppError):
    status_code = 429
    code = "too_many_code_requests"
    message = "Too many codes were asked for. Try again in {minutes} minutes."

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(int(self.params.get("minutes", 1)) * 60)}


class LinkInvalid(NotFound):
    code = "link_invalid"
    message = "This link is not valid. Check that it was copied whole, or ask for a new one."


class LinkExpired(AppError):
    status_code = 410
    code = "link_expired"
    message = "This link has expired. Ask for a new one."


class LinkUsed(AppError):
    status_code = 410
    code = "link_used"
    message = "This link was already used. Ask for a new one."


class PasswordsDiffer(InvalidInput):
    code = "passwords_differ"
    message = "The two passwords are not the same."


class CurrentPasswordWrong(AppError):
    status_code = 400
    code = "current_password_wrong"
    message = "The current password is not right."


class UnknownRole(InvalidInput):
    code = "unknown_role"
    message = "Unknown role {role}. Roles: {roles}."


class BodyRequired(InvalidInput):
    code = "body_required"
    message = "Provider staff need a system code; ATM staff need a district ubigeo."


class BodyNotAllowed(InvalidInput):
    code = "body_not_allowed"
    message = "This role is not tied to a provider or a district."


class AlreadySignedUp(Conflict):
    code = "already_signed_up"
    message = "This person has already set a password; give them a role instead of an invitation."


class LastAdministrator(Conflict):
    code = "last_administrator"
    message = "This would leave Yaku without an active administrator."


class NotOnYourself(Conflict):
    code = "not_on_yourself"
    message = "You cannot deactivate your own account."


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    message = "This account has no such role."


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "No open session of yours has this number."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    message = "No active API key of yours has this number."


class KeysCannotManageKeys(AppError):
    status_code = 403
    code = "not_with_api_key"
    message = "An API key cannot do this; sign in as a person."


class NoSuchAccount(NotFound):
    code = "no_such_account"
    message = "No account has this number."
