"""Read-only links for managers: the course's status and the action plan, no login."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, ManagerLink, utcnow
from workshop.core.text import tidy

LABEL_MAX = 120
# At most this many live links per course: each is a door into the course's status.
MAX_OPEN_LINKS = 20


def create_manager_link(course: Course, label: str = "") -> ManagerLink:
    label = tidy(label)
    if len(label) > LABEL_MAX:
        raise WorkshopError(
            _("The name of the link can be at most %(n)s characters.", n=LABEL_MAX), code="label"
        )
    if len(open_links(course)) >= MAX_OPEN_LINKS:
        raise WorkshopError(
            _("There are %(n)s open links already. Revoke one first.", n=MAX_OPEN_LINKS),
            code="too_many",
        )
    # 256 random bits: guessing one is hopeless, and it says nothing about the course.
    link = ManagerLink(course_id=course.id, token=secrets.token_urlsafe(32), label=label)
    db.session.add(link)
    db.session.commit()
    return link


def revoke_manager_link(link: ManagerLink) -> ManagerLink:
    if link.revoked_at is None:  # a double click changes nothing
        link.revoked_at = utcnow()
        db.session.commit()
    return link


def open_links(course: Course) -> list[ManagerLink]:
    return list(
        db.session.scalars(
            select(ManagerLink)
            .where(ManagerLink.course_id == course.id, ManagerLink.revoked_at.is_(None))
            .order_by(ManagerLink.id)
        )
    )


def link_in_course(course: Course, link_id: int) -> ManagerLink | None:
    link = db.session.get(ManagerLink, link_id)
    return link if link is not None and link.course_id == course.id else None


def course_for_token(token: str) -> Course | None:
    """The course an open link leads to; None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    link = db.session.scalar(
        select(ManagerLink).where(ManagerLink.token == token, ManagerLink.revoked_at.is_(None))
    )
    return link.course if link is not None else None
