"""Facilitator accounts: created on the CLI, passwords stored as hashes.

A login lives in two cookies (Flask-Login's session entry and its remember cookie), both
holding `Facilitator.get_id()`: the id and the facilitator's session token. Logging out, a
new password and deactivation give a new token (`revoke_logins`; deactivation in
workshop.organisations.set_active), so every cookie issued before names nobody — on every
device at once. A facilitator is created into an organisation (workshop.organisations).
"""

from __future__ import annotations

import hmac

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Facilitator, Organisation, new_token
from workshop.core.text import tidy
from workshop.organisations import admins, default_organisation

MIN_PASSWORD_LENGTH = 8


def _normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_facilitator(email: str) -> Facilitator | None:
    return db.session.scalar(
        select(Facilitator).where(func.lower(Facilitator.email) == _normalise_email(email))
    )


def create_facilitator(
    email: str,
    password: str,
    name: str = "",
    organisation: Organisation | None = None,
    *,
    is_admin: bool = False,
) -> Facilitator:
    """A login in `organisation` (default: the default organisation). An organisation's
    first facilitator becomes its admin, so every organisation has one."""
    email = _normalise_email(email)
    if "@" not in email or email != tidy(email) or any(c.isspace() for c in email):
        raise WorkshopError(_("That is not an email address."))
    _check_password(password)
    if len(email) > 254:
        raise WorkshopError(_("That is not an email address."))
    if find_facilitator(email) is not None:
        raise WorkshopError(_("A facilitator with that email already exists."))
    organisation = organisation or default_organisation()
    facilitator = Facilitator(
        email=email,
        password_hash=generate_password_hash(password),
        name=" ".join(tidy(name).split())[:120],
        organisation=organisation,
        is_admin=is_admin or not admins(organisation),
        active=True,
    )
    db.session.add(facilitator)
    db.session.commit()
    return facilitator


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WorkshopError(
            _("The password must be at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        )


def change_password(facilitator: Facilitator, password: str) -> Facilitator:
    """A new password; whoever is logged in as the facilitator (with the old one, perhaps
    not the facilitator) is logged out everywhere."""
    _check_password(password)
    facilitator.password_hash = generate_password_hash(password)
    revoke_logins(facilitator)
    return facilitator


def revoke_logins(facilitator: Facilitator, *, commit: bool = True) -> None:
    """End every login of the facilitator: each session and remember cookie issued before
    holds the old token (Facilitator.get_id), which facilitator_for_login refuses."""
    facilitator.session_token = new_token()
    if commit:
        db.session.commit()


def facilitator_for_login(login_id: str | None) -> Facilitator | None:
    """The facilitator a session or remember cookie names ("<id>:<token>"), while that
    login stands: an active facilitator whose token is still the one in the cookie. A
    cookie from before tokens (just the id) or from before a logout names nobody."""
    facilitator_id, _sep, token = (login_id or "").partition(":")
    if not (facilitator_id.isascii() and facilitator_id.isdigit()) or not token:
        return None
    number = int(facilitator_id)
    if not 0 < number < 2**63:
        return None
    facilitator = db.session.get(Facilitator, number)
    if facilitator is None or not facilitator.active:
        return None
    if not hmac.compare_digest(facilitator.session_token.encode(), token.encode()):
        return None
    return facilitator


def authenticate(email: str, password: str) -> Facilitator | None:
    facilitator = find_facilitator(email)
    if facilitator is None or not check_password_hash(facilitator.password_hash, password or ""):
        return None
    if not facilitator.active:
        return None
    return facilitator
