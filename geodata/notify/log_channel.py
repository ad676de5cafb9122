"""The default channel: writes the message to the service's log, with the address masked.

With no SMTP server, WhatsApp account or SMS gateway configured, whoever runs the service reads
sign-in codes, invitation links and notices from its log.
"""

from __future__ import annotations

import logging

from geodata.notify.base import Message, mask_address

log = logging.getLogger("yaku.notify")


class LoggingChannel:
    name = "log"

    def send(self, message: Message) -> None:
        log.warning(
            "message to %s: %s\n%s", mask_address(message.to), message.subject, message.text
        )
