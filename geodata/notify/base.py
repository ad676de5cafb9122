"""What a message is, what a channel does, and how an address is shown in logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    to: str  # an e-mail address or a phone number in E.164
    subject: str
    text: str


class Channel(Protocol):
    """One way of reaching people. ``send`` raises OSError (or a subclass such as
    ``smtplib.SMTPException``) when the message could not be handed over."""

    name: str

    def send(self, to: str, subject: str, text: str) -> None: ...


def mask_address(address: str) -> str:
    """Enough of an address to tell messages apart in a log, not enough to reach anyone:
    ``a***@example.org``, ``+51*******21``."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 6:
        return "*" * len(address)
    return address[:3] + "*" * (len(address) - 5) + address[-2:]
