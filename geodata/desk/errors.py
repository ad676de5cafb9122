"""Errors of the desk (rendered by the API's single AppError handler and by the desk pages)."""

from __future__ import annotations

from geodata.errors import Conflict, InvalidInput, NotFound


class UnknownAction(InvalidInput):
    code = "unknown_action"
    message = "Unknown action."


class UnknownProvider(InvalidInput):
    code = "unknown_provider"
    message = "No body has this id."


class TargetRequired(InvalidInput):
    code = "target_required"
    message = (
        "Choose the body that should answer this report, or escalate it to the district's ATM."
    )


class TargetOutsideDistrict(InvalidInput):
    code = "target_outside_district"
    message = "A report can only be handed to a body of its own district or to its ATM."


class SameProvider(Conflict):
    code = "same_provider"
    message = "The report is already with this body."


class NoDistrictAtm(Conflict):
    code = "no_district_atm"
    message = "This report's district has no ATM to escalate to."


class NotOpen(Conflict):
    code = "report_not_open"
    message = "Only an open report can be confirmed or handed to another body."


class AlreadyConfirmed(Conflict):
    code = "already_confirmed"
    message = "The problem was already confirmed."


class OriginalRequired(InvalidInput):
    code = "original_required"
    message = "Give the tracking code of the original report."


class OriginalNotFound(InvalidInput):
    code = "original_not_found"
    message = "No report has the tracking code given as the original."


class OwnDuplicate(InvalidInput):
    code = "own_duplicate"
    message = "A report cannot be a duplicate of itself."


class NotRetryable(Conflict):
    code = "not_retryable"
    message = "Only a report whose validation failed can be validated again."


class InvalidContactPhone(InvalidInput):
    code = "invalid_contact_phone"
    message = "The phone number is not valid. Write it as 987 654 321 or 044 123456."


class InvalidContactWhatsApp(InvalidInput):
    code = "invalid_contact_whatsapp"
    message = "The WhatsApp number is not valid. Write it as 987 654 321."


class InvalidContactEmail(InvalidInput):
    code = "invalid_contact_email"
    message = "The e-mail address is not valid."


class TextTooLong(InvalidInput):
    code = "text_too_long"
    message = "The text is too long (at most {limit} characters)."


class TemplateNotFound(NotFound):
    code = "template_not_found"
    message = "No response template has this name."


class TemplateIncomplete(InvalidInput):
    code = "template_incomplete"
    message = "A response template needs a title and a text."


class BodyRequired(InvalidInput):
    code = "body_required"
    message = "Choose the body you act for."
