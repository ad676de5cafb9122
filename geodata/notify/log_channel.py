"""The default channel: writes the message to the service's log, with the address masked.

With no SMTP server (and, until the messaging issue, for every phone), whoever runs the
service reads sign-in codes and invitation links from its log.
"""

from __future__ import annotations

import logging

from geodata.notify.base import mask_address

log = logging.getLogger("yaku.notify")


class LoggingChannel:
    name = "log"

    def send(self, to: str, subject: str, text: str) -> None:
        log.warning("message to %s: %s\n%s", mask_address(to), subject, text)
