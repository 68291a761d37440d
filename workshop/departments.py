"""An organisation's departments: the list a course across departments offers its phones.

Every organisation starts with the Danish defaults (`DEFAULT_DEPARTMENTS`), made with it
(organisations.create_organisation; the migration that follows the model's gave them to the
organisations there were), so that opening a page never writes; `departments_of` still
makes them for an organisation that has none (one inserted by other means), rather than
offer an empty list.

Its admins add, rename, retire (and bring back) and reorder them. A retired department is
offered no more, but stays on the participants (and their results) that name it. Names are
tidied and unique in the organisation, case aside, retired ones included: two
"Beskæftigelse" would split one department's people in two.

A citizen or relative (borger/pårørende) is no department: in a course that invites them
they join as the group `CITIZEN_CHOICE`, with the role `vocabulary.CITIZEN_ROLE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workshop.core.db import READ_ONLY_METHODS, writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Department, Organisation, Participant, utcnow
from workshop.core.text import tidy
from workshop.core.vocabulary import CITIZEN_ROLE, SECTORS

NAME_LENGTH = 120

# The departments a Danish municipality's citizen with complex problems meets (issue 14;
# ../shared/domain/cross-sector.md), in the order the join page offers them.
DEFAULT_DEPARTMENTS = (
    ("Beskæftigelse", "employment"),
    ("Social og handicap", "social"),
    ("Sundhed og psykiatri", "health"),
    ("Unge og uddannelse (UU)", "youth"),
    ("Ydelse/borgerservice", "benefits"),
    ("Regionens sundhedskoordinator", "region"),
    ("Leverandør", "vendor"),
    ("Politikere", "politics"),
)

# The join form's value for "citizen or relative" beside the departments' ids.
CITIZEN_CHOICE = "citizen"


def _all(organisation: Organisation) -> list[Department]:
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.organisation_id == organisation.id)
            .order_by(Department.position, Department.id)
        )
    )


def departments_of(organisation: Organisation, *, pending: bool = False) -> list[Department]:
    """The organisation's departments in their order, retired ones too; the defaults are
    made the first time the list is asked for. `pending`: added to the caller's
    transaction (an import, all or nothing), not committed."""
    found = _all(organisation)
    if found:
        return found
    if pending:
        db.session.add_all(default_departments(organisation))
        db.session.flush()
    elif has_request_context() and request.method in READ_ONLY_METHODS:
        # A GET (the admin's page, a join page): the write takes SQLite's lock in a
        # transaction of its own, as the audit trail's lines in a download do.
        with writing():
            _add_defaults(organisation)
    else:
        _add_defaults(organisation)
    return _all(organisation)


def default_departments(organisation: Organisation) -> list[Department]:
    """New rows for the Danish defaults, in order (the caller adds and commits them)."""
    return [
        Department(organisation=organisation, name=name, sector=sector, position=position)
        for position, (name, sector) in enumerate(DEFAULT_DEPARTMENTS)
    ]


def _add_defaults(organisation: Organisation) -> None:
    if _all(organisation):
        return  # another request made them while this one waited for the lock
    db.session.add_all(default_departments(organisation))
    try:
        db.session.commit()
    except IntegrityError:
        # Two first requests at once (PostgreSQL lets both read an empty list): the other
        # one's defaults stand.
        db.session.rollback()


def active_departments(organisation: Organisation) -> list[Department]:
    return [d for d in departments_of(organisation) if d.retired_at is None]


def department_in_organisation(organisation: Organisation, department_id: int) -> Department:
    """One of the organisation's departments, or a refusal (another's is never found)."""
    department = db.session.get(Department, department_id) if 0 < department_id < 2**63 else None
    if department is None or department.organisation_id != organisation.id:
        raise WorkshopError(_("There is no such department in your organisation."), code="404")
    return department


def _checked_name(organisation: Organisation, name: str, keep: Department | None = None) -> str:
    name = " ".join(tidy(name or "").split())
    if not name:
        raise WorkshopError(_("Give the department a name."), code="name")
    if len(name) > NAME_LENGTH:
        raise WorkshopError(
            _("The name can be at most %(n)s characters.", n=NAME_LENGTH), code="name"
        )
    # Compared in Python: SQLite's lower() leaves Æ, Ø and Å alone.
    same = next(
        (d for d in _all(organisation) if d.name.casefold() == name.casefold() and d is not keep),
        None,
    )
    if same is not None:
        if same.retired_at is not None:
            raise WorkshopError(
                _(
                    "A retired department is called %(name)s. Bring it back instead.",
                    name=same.name,
                ),
                code="name",
            )
        raise WorkshopError(
            _("The organisation already has a department called %(name)s.", name=same.name),
            code="name",
        )
    return name


def _checked_sector(sector: str) -> str:
    if sector not in SECTORS:
        raise WorkshopError(_("Choose the sector the department belongs to."), code="sector")
    return sector


def add_department(organisation: Organisation, name: str, sector: str = "other") -> Department:
    departments = departments_of(organisation)  # the defaults first, then the new one
    department = Department(
        organisation=organisation,
        name=_checked_name(organisation, name),
        sector=_checked_sector(sector),
        position=max((d.position for d in departments), default=-1) + 1,
    )
    db.session.add(department)
    db.session.commit()
    return department


def rename_department(department: Department, name: str, sector: str) -> Department:
    """A new name and sector; the participants who picked it keep it under the new name."""
    name = _checked_name(department.organisation, name, keep=department)
    department.name, department.sector = name, _checked_sector(sector)
    db.session.commit()
    return department


def set_retired(department: Department, retired: bool) -> Department:
    """Retire (offered no more) or bring back a department; retiring the last active one
    is refused, so a course across departments always has something to offer."""
    if retired and department.retired_at is None:
        others = [
            d
            for d in departments_of(department.organisation)
            if d.retired_at is None and d.id != department.id
        ]
        if not others:
            raise WorkshopError(
                _("Keep at least one department. Add another before you retire this one."),
                code="last_department",
            )
        department.retired_at = utcnow()
    elif not retired:
        department.retired_at = None
    db.session.commit()
    return department


def move_department(department: Department, direction: str) -> Department:
    """One place up or down in the organisation's order."""
    if direction not in ("up", "down"):
        raise WorkshopError(_("Move the department up or down."), code="direction")
    order = departments_of(department.organisation)
    place = order.index(department)
    other = place - 1 if direction == "up" else place + 1
    if 0 <= other < len(order):
        order[place], order[other] = order[other], order[place]
    for position, each in enumerate(order):  # numbered afresh: no two share a place
        each.position = position
    db.session.commit()
    return department


# --- A course across departments -------------------------------------------------------


def join_choices(course: Course) -> list[tuple[str, str]]:
    """What a phone picks from when joining: (value, label) for each active department,
    and citizens/relatives when the course invites them. Empty when the course is not
    across departments."""
    if not course.across_departments:
        return []
    choices = [(str(d.id), d.name) for d in active_departments(course.organisation)]
    if course.invites_citizens:
        choices.append((CITIZEN_CHOICE, _("Citizen or relative (borger/pårørende)")))
    return choices


def chosen_department(course: Course, value: str | None) -> Department | str | None:
    """The join form's department value checked against the course: a Department,
    `CITIZEN_CHOICE`, or None when the course asks for none. Refuses a missing or
    unknown one in a course across departments."""
    if not course.across_departments:
        return None
    offered = dict(join_choices(course))
    if not value or value not in offered:
        raise WorkshopError(_("Choose the department you come from."), code="department")
    if value == CITIZEN_CHOICE:
        return CITIZEN_CHOICE
    return db.session.get(Department, int(value))


def previous_choice(organisation: Organisation, tokens: list[str]) -> str | None:
    """The department (or citizens) this phone picked last in a course of the same
    organisation: the join form's value, from the participants the phone's cookie names."""
    tokens = [t for t in tokens if isinstance(t, str) and 0 < len(t) <= 64]
    if not tokens:
        return None
    row = db.session.execute(
        select(Participant.department_id, Participant.role)
        .join(Course, Course.id == Participant.course_id)
        .where(
            Participant.token.in_(tokens),
            Course.organisation_id == organisation.id,
            Participant.forgotten_at.is_(None),
            (Participant.department_id.is_not(None)) | (Participant.role == CITIZEN_ROLE),
        )
        .order_by(Participant.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return CITIZEN_CHOICE if row.department_id is None else str(row.department_id)


@dataclass(frozen=True)
class DepartmentCount:
    name: str
    count: int


def departments_in_room(course: Course) -> list[DepartmentCount]:
    """Who is in the room by department (counts only, in the organisation's order); empty
    for a course not across departments. Citizens and relatives are counted by role
    (courses.participant_counts) beside it, not twice."""
    if not course.across_departments:
        return []
    by_department = dict(
        db.session.execute(
            select(Participant.department_id, func.count())
            .where(Participant.course_id == course.id, Participant.department_id.is_not(None))
            .group_by(Participant.department_id)
        ).all()
    )
    return [
        DepartmentCount(d.name, by_department[d.id])
        for d in _all(course.organisation)
        if by_department.get(d.id)
    ]
