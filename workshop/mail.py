"""Sending mail: the SMTP settings (workshop/core/config.py) and a connection that sends
`email.message.EmailMessage`s with the standard library's `smtplib`.

Reminders (workshop.reminders) are the only mail the app sends. Without a host, a sender
and the app's public address (for the links in the mails) mail is off: `mail_problem` says
which is missing, the command says so and stops, and the control panel shows it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app
from flask_babel import gettext as _

from workshop.core.config import SMTP_PORTS

SMTP_TIMEOUT = 30  # seconds: a mail server that does not answer must not hang cron


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    user: str
    password: str
    sender: str

    @classmethod
    def from_config(cls, config=None) -> SmtpSettings:
        config = current_app.config if config is None else config
        security = config.get("SMTP_SECURITY") or "starttls"
        return cls(
            host=config.get("SMTP_HOST") or "",
            port=config.get("SMTP_PORT") or SMTP_PORTS[security],
            security=security,
            user=config.get("SMTP_USER") or "",
            password=config.get("SMTP_PASSWORD") or "",
            sender=config.get("SMTP_FROM") or "",
        )


def mail_problem(config=None) -> str | None:
    """Why mail is off (which setting is missing), or None when reminders can be sent."""
    config = current_app.config if config is None else config
    if not config.get("SMTP_HOST"):
        return _("No mail server is set (SAMSKABT_SMTP_HOST).")
    if not config.get("SMTP_FROM"):
        return _("No sender address is set (SAMSKABT_SMTP_FROM).")
    if not config.get("PUBLIC_URL"):
        return _("No public address for the links in the mails is set (SAMSKABT_PUBLIC_URL).")
    return None


def new_message(
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    unsubscribe_url: str | None = None,
    sender: str | None = None,
) -> EmailMessage:
    """A plain-text mail (with an HTML alternative if given). With `unsubscribe_url`, the
    List-Unsubscribe headers let a mail program offer one-click unsubscribing (RFC 8058)."""
    message = EmailMessage()
    message["From"] = sender or current_app.config.get("SMTP_FROM") or ""
    message["To"] = to
    message["Subject"] = subject
    domain = parseaddr(message["From"])[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    # An automatic message: no out-of-office replies back to it.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """One connection to the mail server for a run of `reminders send`:
    `with Mailer(settings) as mailer: mailer.send(message)`. A refused message raises
    smtplib.SMTPException (or OSError when the connection is lost)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        settings = self.settings
        if settings.security == "ssl":
            self._smtp = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=SMTP_TIMEOUT,
                context=ssl.create_default_context(),
            )
        else:
            self._smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
            if settings.security == "starttls":
                self._smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            self._smtp.login(settings.user, settings.password)
        return self

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            raise RuntimeError("Mailer.send outside `with Mailer(...)`")
        self._smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()  # gone already: nothing left to say goodbye to
            self._smtp = None
