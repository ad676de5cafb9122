"""Delivering messages to people: sign-in codes, magic links, invitations (and, later, the
notices of the messaging issue) through one small ``Channel`` protocol.

``deliver(message)`` picks the channel for the address: SMTP e-mail when an SMTP server is
configured and the address is an e-mail, otherwise the logging channel (the default, so a
development service needs no account anywhere). Delivery never raises: a failure is logged.
Callers deliver only after their transaction has committed.
"""

from geodata.notify.base import Channel, Message, mask_address
from geodata.notify.delivery import channel_for, deliver

__all__ = ["Channel", "Message", "channel_for", "deliver", "mask_address"]
