"""Masking of contact data a citizen typed into free text (phone numbers, e-mail addresses).

The same rule runs in SQL (for the open-data queries, which build JSON in PostgreSQL) and in
Python (for any other code that shows a report's description publicly).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, literal
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement

EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# Seven or more digits, optionally separated by single spaces, dots or dashes: Peruvian mobiles
# (9 digits), landlines with area code, +51 prefixes. Short numbers (readings, years) survive.
PHONE_PATTERN = r"\+?[0-9](?:[ .-]?[0-9]){6,}"
REDACTED = "[dato de contacto retirado]"

_EMAIL = re.compile(EMAIL_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)


def mask_contacts(text: str) -> str:
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def mask_contacts_sql(text: ColumnElement[Any] | QueryableAttribute[Any]) -> ColumnElement[Any]:
    without_emails = func.regexp_replace(text, literal(EMAIL_PATTERN), literal(REDACTED), "g")
    return func.regexp_replace(without_emails, literal(PHONE_PATTERN), literal(REDACTED), "g")
