"""Fixtures of the messaging tests: the real SMTP server of ``tests/smtp_support``."""

from tests.smtp_support import mailbox

__all__ = ["mailbox"]
