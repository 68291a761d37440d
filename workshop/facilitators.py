"""Facilitator accounts: created on the CLI, passwords stored as hashes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import WorkshopError
from .extensions import db
from .models import Facilitator, Organisation
from .text import tidy

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
    from .organisations import admins, default_organisation

    email = _normalise_email(email)
    if "@" not in email or email != tidy(email) or any(c.isspace() for c in email):
        raise WorkshopError(_("That is not an email address."))
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WorkshopError(
            _("The password must be at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        )
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


def authenticate(email: str, password: str) -> Facilitator | None:
    facilitator = find_facilitator(email)
    if facilitator is None or not check_password_hash(facilitator.password_hash, password or ""):
        return None
    if not facilitator.active:
        return None
    return facilitator
