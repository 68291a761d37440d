"""A real SMTP server in the test process (aiosmtpd), and an app that sends reminders
through it: the tests read the mails back as a mail program would."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from workshop.core.extensions import db

PUBLIC_URL = "http://samskabt.fjordby.example"
SENDER = "Samskabt <samskabt@fjordby.example>"


class Mailbox:
    """aiosmtpd's handler: keeps every message it accepts; refuses the addresses in
    `refuse` at RCPT, as a mail server refuses an unknown mailbox."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @property
    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox():
    """A running SMTP server on a free loopback port; `mailbox.port` is where."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def mail_settings(port: int) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "SMTP_FROM": SENDER,
        "PUBLIC_URL": PUBLIC_URL,
    }


def mail_app(database_url: str, port: int, **extra):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            **mail_settings(port),
            **extra,
        }
    )


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
