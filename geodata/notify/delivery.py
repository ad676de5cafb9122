"""Which channel reaches an address, and delivering without ever raising."""

from __future__ import annotations

import logging

from geodata.notify.base import Channel, Message, mask_address
from geodata.notify.log_channel import LoggingChannel
from geodata.notify.smtp import SmtpChannel
from geodata.settings import Settings, get_settings

log = logging.getLogger("yaku.notify")


def channel_for(address: str, settings: Settings | None = None) -> Channel:
    """E-mail through SMTP when configured; phones (until an SMS or WhatsApp channel exists)
    and unconfigured e-mail go to the log."""
    settings = settings or get_settings()
    if "@" in address and settings.smtp_host:
        return SmtpChannel(settings)
    return LoggingChannel()


def deliver(message: Message) -> bool:
    """Send ``message``; False (and a log line) when the channel failed. Runs after the
    request's commit (a FastAPI background task), so a slow server never holds a transaction."""
    channel = channel_for(message.to)
    try:
        channel.send(message.to, message.subject, message.text)
    except (OSError, ValueError) as error:  # smtplib.SMTPException is an OSError
        log.error(
            "could not deliver %r to %s through %s: %s",
            message.subject,
            mask_address(message.to),
            channel.name,
            error,
        )
        return False
    return True
