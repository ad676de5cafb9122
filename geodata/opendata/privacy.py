"""Masking of contact data a citizen typed into free text (phone numbers, e-mail addresses).

One rule, in Python: ``mask_contacts``. Phone numbers are found by Google's libphonenumber
(``phonenumbers``, with Peru's numbering plan: mobiles, landlines with or without their area
code such as ``(044) 123-456``, ``+51``...), on a copy of the text where full-width and other
compatibility digits are read as ASCII; a backstop masks any other run of nine or more digits
(a mobile's length: foreign or mistyped numbers), so dates and readings survive. E-mail
addresses are found with their common disguises: ``name(at)domain``, ``name [at] domain dot
com``, ``nombre arroba dominio punto pe``.

The public text is computed once and stored (``Report.public_description``: when the text is
set through the model, and by validation, which is when a report can become public); every
public reader, the SQL of the open data included, reads that column (``public_description_sql``)
instead of re-implementing the rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from sqlalchemy import func
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement

REDACTED = "[dato de contacto retirado]"
REGION = "PE"
MIN_DIGITS = 6  # a Peruvian local landline; fewer digits cannot be a phone number here


def _disguised(symbol: str, words: str) -> str:
    """``@``, ``(at)``, ``[at]``, `` at ``... as one regex alternative."""
    bracketed = rf"\s*[\(\[\{{<]\s*(?:{words})\s*[\)\]\}}>]\s*"
    return rf"(?:\s*{symbol}\s*|{bracketed}|\s+(?:{words})\s+)"


_AT = _disguised("@", "at|arroba")
_DOT = _disguised(r"\.", "dot|punto")
_EMAIL = re.compile(
    rf"[a-z0-9][a-z0-9._%+\-]*{_AT}[a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*{_DOT}[a-z]{{2,}}\b",
    re.IGNORECASE,
)
# Backstop for what libphonenumber does not call a possible number: 9+ digits, single
# separators (space, dot, dash, slash, brackets) allowed between them.
_DIGIT_RUN = re.compile(r"\+?\d(?:[ .\-/()]?\d){8,}")
# Dates look like landlines to the library (2024-05-12 has eight digits): left as they are.
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")


def _comparable(text: str) -> str:
    """The same text, character for character, with full-width or other compatibility forms
    (``０９``, ``＠``, ``．``) replaced by their ASCII form, so offsets stay valid."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isascii():
            out.append(folded)
        elif char.isdigit() and len(folded) == 1:
            out.append(str(unicodedata.digit(char, 0)))
        else:
            out.append(char)
    return "".join(out)


def _spans(text: str) -> list[tuple[int, int]]:
    found = [m.span() for m in _EMAIL.finditer(text)]
    if sum(c.isdigit() for c in text) >= MIN_DIGITS:
        for match in PhoneNumberMatcher(text, REGION, leniency=Leniency.POSSIBLE):
            if phonenumbers.is_possible_number(match.number) and not _DATE.fullmatch(
                match.raw_string.strip()
            ):
                found.append((match.start, match.end))
        found += [m.span() for m in _DIGIT_RUN.finditer(text)]
    return found


def mask_contacts(text: str) -> str:
    """``text`` with every phone number and e-mail address replaced by ``REDACTED``."""
    if not text:
        return text
    spans = sorted(_spans(_comparable(text)))
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue  # inside a span already masked
        start = max(start, position)
        parts += [text[position:start], REDACTED]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def public_text(description: str | None, public_description: str | None) -> str:
    """What may be shown of a description: the stored public text, else masked now."""
    if public_description is not None:
        return public_description
    return mask_contacts(description or "")


def public_description_sql(
    column: ColumnElement[Any] | QueryableAttribute[Any],
) -> ColumnElement[Any]:
    """The stored public text in SQL; empty when not computed (never the raw description)."""
    return func.coalesce(column, "")
