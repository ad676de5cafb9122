"""Reaching people: sign-in codes and invitations at once (``deliver``), and every notice
through the delivery ledger (``outbox.queue_message``: one row per event and recipient, sent
by the ``notify.deliver`` task with retries; see ``ledger``).

Channels share one small ``Channel`` protocol: e-mail over SMTP, signed webhooks, WhatsApp
(Cloud API), SMS (an HTTP gateway) and the logging channel, the default for anything without an
account, so a development service needs none. ``rules`` decides who is told what about reports,
``subscriptions`` handles public alerts on a water status, ``followups`` the "is it fixed?"
question, ``contacts`` consent and WhatsApp's 24-hour window.
"""

from geodata.notify.base import Channel, Message, mask_address
from geodata.notify.delivery import channel_for, deliver

__all__ = ["Channel", "Message", "channel_for", "deliver", "mask_address"]
