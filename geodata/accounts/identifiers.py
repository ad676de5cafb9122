"""How staff name themselves: an e-mail address or a phone number (stored in E.164)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from geodata.accounts.errors import InvalidIdentifier

DEFAULT_REGION = "PE"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # "email" or "phone"
    value: str


def normalize_email(text: str) -> str:
    value = text.strip().lower()
    if not _EMAIL.match(value) or len(value) > 200:
        raise InvalidIdentifier()
    return value


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """E.164 (+51987654321) from what people type: 987 654 321, +51 987-654-321..."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier() from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_identifier(text: str) -> Identifier:
    text = (text or "").strip()
    if "@" in text:
        return Identifier("email", normalize_email(text))
    return Identifier("phone", normalize_phone(text))
