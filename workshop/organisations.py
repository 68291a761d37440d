"""Organisations: who facilitates (a municipality, a consultancy, a partnership), its
facilitators and its admins.

Facilitators of one organisation see and run each other's courses (co-facilitation); an
organisation's admins add facilitators, make and unmake admins and deactivate logins. An
organisation always keeps at least one active admin.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Facilitator, Organisation, new_token
from workshop.core.text import tidy
from workshop.departments import default_departments

DEFAULT_ORGANISATION = "Standardorganisation"

ORGANISATION_KINDS = {
    "municipality": _l("Municipality"),
    "consultancy": _l("Consultancy"),
    "partnership": _l("Partnership"),
}

NAME_LENGTH = 200


def find_organisation(name: str) -> Organisation | None:
    name = " ".join(tidy(name).split())  # as create_organisation stored it
    return db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    )


def create_organisation(name: str, kind: str = "municipality") -> Organisation:
    name = " ".join(tidy(name or "").split())
    if not name:
        raise WorkshopError(_("Give the organisation a name."))
    if len(name) > NAME_LENGTH:
        raise WorkshopError(_("The name can be at most %(n)s characters.", n=NAME_LENGTH))
    if kind not in ORGANISATION_KINDS:
        raise WorkshopError(_("Choose a municipality, a consultancy or a partnership."))
    if find_organisation(name) is not None:
        raise WorkshopError(_("An organisation with that name already exists."))
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    # Issue 14: its departments from the start, so no page has to make them when read.
    db.session.add_all(default_departments(organisation))
    db.session.commit()
    return organisation


def default_organisation() -> Organisation:
    """Where facilitators go when none is named (the migration made it for existing data)."""
    return find_organisation(DEFAULT_ORGANISATION) or create_organisation(
        DEFAULT_ORGANISATION, "municipality"
    )


def admins(organisation: Organisation) -> list[Facilitator]:
    return [f for f in organisation.facilitators if f.is_admin and f.active]


def facilitator_in_organisation(organisation: Organisation, facilitator_id: int) -> Facilitator:
    """One of the organisation's facilitators, or a refusal (another's is never found)."""
    facilitator = (
        db.session.get(Facilitator, facilitator_id) if 0 < facilitator_id < 2**63 else None
    )
    if facilitator is None or facilitator.organisation_id != organisation.id:
        raise WorkshopError(_("There is no such facilitator in your organisation."), code="404")
    return facilitator


def _lock(organisation: Organisation) -> None:
    """Serialise admin changes in one organisation, so two admins cannot both step down."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(Organisation.id).where(Organisation.id == organisation.id).with_for_update()
        )


def _leaves_no_admin(facilitator: Facilitator) -> bool:
    others = db.session.scalar(
        select(func.count())
        .select_from(Facilitator)
        .where(
            Facilitator.organisation_id == facilitator.organisation_id,
            Facilitator.id != facilitator.id,
            Facilitator.is_admin.is_(True),
            Facilitator.active.is_(True),
        )
    )
    return not others


def set_admin(facilitator: Facilitator, is_admin: bool) -> Facilitator:
    _lock(facilitator.organisation)
    if not is_admin and facilitator.is_admin and _leaves_no_admin(facilitator):
        db.session.rollback()
        raise WorkshopError(
            _("The organisation must keep at least one admin. Make someone else admin first."),
            code="last_admin",
        )
    if is_admin and not facilitator.active:
        db.session.rollback()
        raise WorkshopError(_("Reactivate the facilitator before making them admin."))
    facilitator.is_admin = is_admin
    db.session.commit()
    return facilitator


def set_active(
    facilitator: Facilitator, active: bool, *, by: Facilitator | None = None
) -> Facilitator:
    """Deactivate (no more logins; the courses stay) or reactivate a facilitator.

    Deactivating ends every login the facilitator has: reactivated later, they log in
    anew, and a cookie taken from them before stays dead. Nobody deactivates their own
    login (`by`, the admin asking): another admin must."""
    if not active and by is not None and by.id == facilitator.id:
        raise WorkshopError(
            _("You cannot deactivate your own login. Ask another admin."), code="own_login"
        )
    _lock(facilitator.organisation)
    if not active and facilitator.is_admin and _leaves_no_admin(facilitator):
        db.session.rollback()
        raise WorkshopError(
            _("The organisation must keep at least one admin. Make someone else admin first."),
            code="last_admin",
        )
    if facilitator.active and not active:
        # A new session token: every cookie issued before names nobody, on every device
        # (as workshop.facilitators.revoke_logins does; that module sits above this one,
        # since a facilitator is created into an organisation).
        facilitator.session_token = new_token()
    facilitator.active = active
    db.session.commit()
    return facilitator


def new_initial_password() -> str:
    """A password to hand over in person (the facilitator is asked to keep it safe)."""
    return secrets.token_urlsafe(12)
