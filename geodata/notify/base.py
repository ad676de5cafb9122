"""What a message is, what a channel does, and how an address is shown in logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Message:
    to: str  # an e-mail address, a phone number in E.164, or a webhook URL
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)  # e-mail: List-Unsubscribe...
    # WhatsApp outside the 24-hour window: an approved template and its parameters.
    template: str | None = None
    params: tuple[str, ...] = ()
    data: dict[str, Any] | None = None  # webhooks: the JSON payload's "data"
    event_key: str | None = None
    language: str = "es"


class Channel(Protocol):
    """One way of reaching people. ``send`` raises OSError (or a subclass such as
    ``smtplib.SMTPException``), ``httpx.HTTPError`` or ``DeliveryFailure`` when the message
    could not be handed over."""

    name: str

    def send(self, message: Message) -> None: ...


class DeliveryFailure(Exception):
    """A channel refused a message. ``transient``: worth trying again later (a server error,
    throttling), or not (a refused address, no consent)."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.transient = transient


def mask_address(address: str) -> str:
    """Enough of an address to tell messages apart in a log, not enough to reach anyone:
    ``a***@example.org``, ``+51*******21``."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if address.startswith(("http://", "https://")):
        scheme, _, rest = address.partition("://")
        return f"{scheme}://{rest.partition('/')[0]}/***"
    if len(address) <= 6:
        return "*" * len(address)
    return address[:3] + "*" * (len(address) - 5) + address[-2:]
