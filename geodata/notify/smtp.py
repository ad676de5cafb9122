"""E-mail through an SMTP server (``YAKU_SMTP_*``): STARTTLS or implicit TLS on port 465,
optional login, and a timeout on every network step so a slow server cannot hang a worker."""

from __future__ import annotations

import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from geodata.notify.base import Message
from geodata.settings import Settings

IMPLICIT_TLS_PORT = 465


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the system's CA certificates costs
    ~90 ms, more than sending a message (bench/bench_notify.py)."""
    return ssl.create_default_context()


class SmtpChannel:
    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def compose(
        self, to: str, subject: str, text: str, headers: dict[str, str] | None = None
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        sender_domain = parseaddr(self.settings.smtp_from)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=sender_domain)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        return message

    def send(self, note: Message) -> None:
        s = self.settings
        assert s.smtp_host, "the SMTP channel needs YAKU_SMTP_HOST"
        client: smtplib.SMTP
        if s.smtp_port == IMPLICIT_TLS_PORT:
            client = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=tls_context()
            )
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with client:
            client.ehlo()
            if s.smtp_starttls and s.smtp_port != IMPLICIT_TLS_PORT:
                client.starttls(context=tls_context())
                client.ehlo()
            if s.smtp_username:
                client.login(s.smtp_username, s.smtp_password or "")
            client.send_message(self.compose(note.to, note.subject, note.text, note.headers))
