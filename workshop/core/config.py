"""The settings, read once from the environment when the app is made.

`Config.from_environ()` reads every variable the app understands, each with its default
and what it means (the README's "Configuration" table says the same for people deploying),
and refuses a value it cannot use at start rather than on the day it is needed.
`create_app` loads it into `app.config` (the keys are `Config.flask_config()`'s) and the
modules read `current_app.config[...]`, never the environment: a setting is fixed for the
life of the process, the same in every module. gunicorn.conf.py reads its own settings
(workers, bind, …) before any app exists.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

# An organisation's identity provider's client secret (workshop.sso.secret_variable).
OIDC_SECRET = re.compile(r"SAMSKABT_OIDC_[A-Z0-9_]+_SECRET\Z")


def public_base_url(value) -> str:
    """SAMSKABT_PUBLIC_URL as "scheme://host[:port]", or "" when unset; anything else is
    refused at start-up rather than printed on a QR code nobody can open."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise ValueError(
            "SAMSKABT_PUBLIC_URL must be a scheme and an address, such as "
            f"http://192.168.1.23:8000 or https://samskabt.kommune.dk, not {value!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"SAMSKABT_PUBLIC_URL takes no query or fragment: {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def retention_days(value) -> int | None:
    """SAMSKABT_RETENTION_DAYS as a whole number of days, or None when unset; anything else
    is refused at start rather than promised to participants in the privacy notice."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if days < 1:
        raise ValueError(f"SAMSKABT_RETENTION_DAYS must be a whole number of days, not {value!r}")
    return days


def audit_days(value) -> int:
    """SAMSKABT_AUDIT_DAYS as a whole number of days, at least one."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValueError(
            f"SAMSKABT_AUDIT_DAYS must be a whole number of days, not {value!r}"
        ) from None
    if days < 1:
        raise ValueError("SAMSKABT_AUDIT_DAYS must be at least 1")
    return days


SMTP_SECURITY = ("starttls", "ssl", "none")
# The port each kind of connection usually takes, when SAMSKABT_SMTP_PORT is not set.
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def smtp_security(value) -> str:
    """SAMSKABT_SMTP_SECURITY: "starttls" (the default), "ssl" (TLS from the first byte,
    port 465) or "none" (a relay on the same machine or network only)."""
    value = (value or "").strip().lower() or "starttls"
    if value not in SMTP_SECURITY:
        raise ValueError(
            f"SAMSKABT_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {value!r}"
        )
    return value


def smtp_port(value) -> int:
    """SAMSKABT_SMTP_PORT: a TCP port, or 0 for the usual one of the security chosen."""
    try:
        port = int(str(value).strip() or 0)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ValueError(f"SAMSKABT_SMTP_PORT must be a port number, not {value!r}")
    return port


def mail_sender(value) -> str:
    """SAMSKABT_SMTP_FROM: one address, with a display name if you like
    ("Samskabt <samskabt@kommune.dk>"), or "" when unset."""
    value = (value or "").strip()
    if not value:
        return ""
    _name, address = parseaddr(value)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address) or "\n" in value:
        raise ValueError(
            "SAMSKABT_SMTP_FROM must be an email address, such as "
            f"Samskabt <samskabt@kommune.dk>, not {value!r}"
        )
    return value


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _text(value: str) -> str:
    return value.strip()


def setting(
    variable: str,
    default,
    meaning: str,
    *,
    key: str | None = None,
    read: Callable[[str], object] = _text,
):
    """A field of Config: the environment variable, its default (used when the variable is
    unset or blank), what it means, its key in app.config, and how its text is read."""
    return field(
        default=default,
        metadata={"variable": variable, "key": key or variable, "meaning": meaning, "read": read},
    )


@dataclass(frozen=True)
class Config:
    """Every setting from the environment (README, "Configuration")."""

    secret_key: str | None = setting(
        "SECRET_KEY",
        None,
        "signs cookies and CSRF tokens; unset: a random key kept in instance/secret_key",
        read=str,  # used exactly as given: a key changed by a space would end every login
    )
    secure_cookies: bool = setting(
        "SECURE_COOKIES",
        False,
        "served over HTTPS: cookies get the Secure flag and responses carry HSTS",
        read=_flag,
    )
    trusted_proxies: int = setting(
        "TRUSTED_PROXIES",
        0,
        "reverse proxies in front whose X-Forwarded-For/-Proto/-Host headers are trusted",
        read=int,
    )
    database_url: str | None = setting(
        "DATABASE_URL",
        None,
        "the database (SQLite or PostgreSQL); unset: SQLite in instance/samskabt.db",
        key="SQLALCHEMY_DATABASE_URI",
    )
    database_pool_size: int = setting(
        "DATABASE_POOL_SIZE",
        5,
        "PostgreSQL: connections each worker process keeps open",
        read=int,
    )
    database_max_overflow: int = setting(
        "DATABASE_MAX_OVERFLOW",
        5,
        "PostgreSQL: connections a worker may open beyond those under a burst",
        read=int,
    )
    public_url: str = setting(
        "SAMSKABT_PUBLIC_URL",
        "",
        "the address phones reach the app at, for the join link, QR code and manager links",
        key="PUBLIC_URL",
        read=public_base_url,
    )
    retention_days: int | None = setting(
        "SAMSKABT_RETENTION_DAYS",
        None,
        "courses idle for more days are deleted by `course purge`; unset: kept until deleted",
        key="RETENTION_DAYS",
        read=retention_days,
    )
    audit_days: int = setting(
        "SAMSKABT_AUDIT_DAYS",
        730,
        "days the audit trail keeps a line (`audit purge`, also run by `course purge`)",
        key="AUDIT_DAYS",
        read=audit_days,
    )
    fragment_max_age: float = setting(
        "SAMSKABT_FRAGMENT_MAX_AGE",
        60.0,
        "seconds a worker may keep a drawn voting list in memory (workshop/web/fragments.py)",
        read=float,
    )
    ratelimit_enabled: bool = setting(
        "RATELIMIT_ENABLED",
        True,
        "0 switches every rate limit off",
        read=_flag,
    )
    ratelimit_storage_uri: str = setting(
        "RATELIMIT_STORAGE_URI",
        "database://",
        "where the rate limits' counters live: the app's own database, or redis:// or "
        "memcached://, so every worker and machine counts together",
    )
    # The limits' defaults, and why (README "Security" has the arithmetic):
    # A whole job centre (400 phones) may join in the same minute through one Wi-Fi address;
    # this stops a script from filling a course with fake participants, not people.
    ratelimit_join: str = setting(
        "RATELIMIT_JOIN",
        "600/minute;3000/hour",
        "joins (POST / and POST /j/<code> together) per client address",
    )
    # 21^6 = 85,766,121 codes; 500 wrong ones a day leave an address years from a hit.
    ratelimit_code_guesses: str = setting(
        "RATELIMIT_CODE_GUESSES",
        "60/minute;200/hour;500/day",
        "codes that match no course, per client address, on every URL that takes a code",
    )
    # Per address, and per email address (an attack spread over many addresses).
    ratelimit_login: str = setting(
        "RATELIMIT_LOGIN", "10/minute;100/hour", "login attempts per client address"
    )
    ratelimit_login_email: str = setting(
        "RATELIMIT_LOGIN_EMAIL", "10/minute;50/hour", "login attempts per email address tried"
    )
    # Generous for a management team behind one address, but no PDF-rendering service for
    # someone scanning tokens.
    ratelimit_manager_link: str = setting(
        "RATELIMIT_MANAGER_LINK",
        "60/minute;600/hour",
        "manager link pages and their PDF, per client address",
    )
    # Reminders by email (workshop.mail, `flask --app app reminders send`): off while no
    # host is set; links in the mails need SAMSKABT_PUBLIC_URL too.
    smtp_host: str = setting(
        "SAMSKABT_SMTP_HOST",
        "",
        "the mail server reminders are sent through; unset: no reminders are sent",
        key="SMTP_HOST",
    )
    smtp_port: int = setting(
        "SAMSKABT_SMTP_PORT",
        0,
        "the mail server's port; unset: 587 (starttls), 465 (ssl) or 25 (none)",
        key="SMTP_PORT",
        read=smtp_port,
    )
    smtp_security: str = setting(
        "SAMSKABT_SMTP_SECURITY",
        "starttls",
        "starttls, ssl (TLS from the start) or none (a relay on a network you trust)",
        key="SMTP_SECURITY",
        read=smtp_security,
    )
    smtp_user: str = setting(
        "SAMSKABT_SMTP_USER", "", "the mail server's login; unset: no login", key="SMTP_USER"
    )
    smtp_password: str = setting(
        "SAMSKABT_SMTP_PASSWORD",
        "",
        "the mail server's password",
        key="SMTP_PASSWORD",
        read=str,  # used exactly as given, spaces and all
    )
    smtp_from: str = setting(
        "SAMSKABT_SMTP_FROM",
        "",
        "the sender of reminders, e.g. Samskabt <samskabt@kommune.dk>; needed with a host",
        key="SMTP_FROM",
        read=mail_sender,
    )
    # The card box (issue 18) is an open link on the intranet: a whole town hall may send
    # through one address, so generous per minute, but no script filling a wall with cards.
    ratelimit_card_box: str = setting(
        "RATELIMIT_CARD_BOX",
        "30/minute;300/hour",
        "cards sent through a course's card box (its link), per client address",
    )
    # Not one variable but one per organisation: SAMSKABT_OIDC_<SHORTNAME>_SECRET.
    oidc_secrets: Mapping[str, str] = field(
        default_factory=dict,
        metadata={
            "variable": "SAMSKABT_OIDC_<SHORTNAME>_SECRET",
            "key": "OIDC_SECRETS",
            "meaning": "an organisation's identity provider's client secret; wins over one "
            "typed on the admin page",
        },
    )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The settings in `environ` (default: this process's environment)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for found in fields(cls):
            raw = environ.get(found.metadata["variable"], "")
            if "read" in found.metadata and raw.strip():
                try:
                    values[found.name] = found.metadata["read"](raw)
                except ValueError as refused:
                    variable = found.metadata["variable"]
                    if variable in str(refused):
                        raise
                    raise ValueError(f"{variable} cannot be {raw!r}: {refused}") from None
        values["oidc_secrets"] = {
            name: value.strip()
            for name, value in environ.items()
            if OIDC_SECRET.match(name) and value.strip()
        }
        return cls(**values)

    def flask_config(self, instance: Path) -> dict[str, object]:
        """The settings by their app.config keys; the database in `instance` by default."""
        settings = {found.metadata["key"]: getattr(self, found.name) for found in fields(self)}
        settings["SQLALCHEMY_DATABASE_URI"] = (
            self.database_url or f"sqlite:///{instance / 'samskabt.db'}"
        )
        return settings


def settle(config: dict) -> None:
    """After a test's own settings: the same checks as the environment's, and what
    follows from them."""
    config["PUBLIC_URL"] = public_base_url(config["PUBLIC_URL"])
    config["RETENTION_DAYS"] = retention_days(config["RETENTION_DAYS"])
    config["AUDIT_DAYS"] = audit_days(config["AUDIT_DAYS"])
    config["SMTP_SECURITY"] = smtp_security(config["SMTP_SECURITY"])
    config["SMTP_PORT"] = smtp_port(config["SMTP_PORT"])
    config["SMTP_FROM"] = mail_sender(config["SMTP_FROM"])
    if config["SECURE_COOKIES"]:
        # Served over HTTPS: cookies never travel over plain HTTP (and HSTS is sent).
        config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)


def kept_secret_key(instance: Path) -> str:
    """Without SECRET_KEY (a developer's machine): one made once and kept in instance/."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
