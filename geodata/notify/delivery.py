"""Which channel reaches an address, and delivering without ever raising."""

from __future__ import annotations

import logging
import smtplib

from geodata.models import ChannelKind
from geodata.notify.base import Channel, DeliveryFailure, Message, mask_address
from geodata.notify.http_channels import SmsGatewayChannel, WebhookChannel, WhatsAppChannel
from geodata.notify.log_channel import LoggingChannel
from geodata.notify.smtp import SmtpChannel
from geodata.settings import Settings, get_settings

log = logging.getLogger("yaku.notify")


def channel_for(address: str, settings: Settings | None = None) -> Channel:
    """The channel of a sign-in code or an invitation: e-mail through SMTP when configured,
    phones by SMS when a gateway is configured, otherwise the log."""
    settings = settings or get_settings()
    if "@" in address:
        return channel_of(ChannelKind.EMAIL, settings)
    return channel_of(ChannelKind.SMS, settings)


def channel_of(kind: ChannelKind | str, settings: Settings | None = None) -> Channel:
    """The configured implementation of a kind of channel; the log when it has no account."""
    s = settings or get_settings()
    kind = ChannelKind(kind)
    if kind is ChannelKind.EMAIL and s.smtp_host:
        return SmtpChannel(s)
    if kind is ChannelKind.WHATSAPP and s.whatsapp_token and s.whatsapp_phone_number_id:
        return WhatsAppChannel(s)
    if kind is ChannelKind.SMS and s.sms_gateway_url:
        return SmsGatewayChannel(s)
    if kind is ChannelKind.WEBHOOK:
        return WebhookChannel(s)
    return LoggingChannel()


def is_transient(error: Exception) -> bool:
    """Worth another try: network trouble, a 4xx SMTP reply, a server error or throttling. Not:
    a refused recipient or login (5xx SMTP), a refused request, no consent."""
    if isinstance(error, DeliveryFailure):
        return error.transient
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, OSError)  # connection refused, timeouts, TLS (smtplib's others)


def deliver(message: Message) -> bool:
    """Send ``message`` at once; False (and a log line) when the channel failed. For sign-in
    codes and invitations, after the request's commit; notices go through the ledger."""
    channel = channel_for(message.to)
    try:
        channel.send(message)
    except (OSError, ValueError, DeliveryFailure) as error:  # SMTPException is an OSError
        log.error(
            "could not deliver %r to %s through %s: %s",
            message.subject,
            mask_address(message.to),
            channel.name,
            str(error).replace(message.to, mask_address(message.to)),
        )
        return False
    return True
