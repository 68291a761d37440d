"""Joining a course from a phone: no account, a role, a unit, maybe a name."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Department, Participant
from workshop.core.text import tidy
from workshop.core.vocabulary import CITIZEN_ROLE, ROLES
from workshop.courses import normalise_join_code, note_activity
from workshop.departments import CITIZEN_CHOICE, chosen_department

NAME_MAX_LENGTH = 120


def join(
    course: Course, role: str, unit: str = "", name: str = "", department: str | None = None
) -> Participant:
    """A new participant. In a course across departments `department` is the join form's
    pick (a department's id, or departments.CITIZEN_CHOICE), required; a citizen or
    relative gets the role CITIZEN_ROLE, whatever `role` says, and no department."""
    if not course.joining_open:
        raise WorkshopError(_("This course is not taking new participants."), code="closed")
    role, picked = role_and_department(course, role, department)
    unit, name = tidy(unit), tidy(name)
    if len(unit) > NAME_MAX_LENGTH or len(name) > NAME_MAX_LENGTH:
        raise WorkshopError(
            _("Unit and name can be at most %(n)s characters.", n=NAME_MAX_LENGTH), code="length"
        )
    participant = Participant(
        course=course,
        role=role,
        unit=unit,
        name=name,
        department=picked,
    )
    db.session.add(participant)
    note_activity(course)  # the projector counts who joined; phones show nobody else
    db.session.commit()
    return participant


def role_and_department(
    course: Course, role: str | None, department: str | None
) -> tuple[str, Department | None]:
    """The join form's role and department checked against the course, as joining asks
    them (also for a card from the card box or on paper, whose author joins nothing): in a
    course across departments the department is required, and the citizens' choice makes
    the role CITIZEN_ROLE whatever `role` says."""
    picked = chosen_department(course, department)
    if picked == CITIZEN_CHOICE:
        return CITIZEN_ROLE, None
    if role == CITIZEN_ROLE and (course.across_departments or not course.invites_citizens):
        # Across departments citizens come through the department question; elsewhere
        # only a course that invites them offers the role.
        raise WorkshopError(_("Choose your role."), code="role")
    if role not in ROLES:
        raise WorkshopError(_("Choose your role."), code="role")
    return role, picked if isinstance(picked, Department) else None


def participant_by_token(course: Course, token: str | None) -> Participant | None:
    """The participant a phone's cookie names, but only if they belong to this course."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.token == token,
            Participant.course_id == course.id,
            Participant.forgotten_at.is_(None),  # deleted their data: no phone is them now
        )
    )


def legacy_participant(course: Course, participant_id: object) -> Participant | None:
    """The participant a cookie from before tokens names by id, if it may: only someone
    who joined before the upgrade (`legacy_cookie`). Their row has existed all along, so no
    one else can have been given the id since; anyone who joined later is never reached by
    a number, whatever course was deleted before they came."""
    if type(participant_id) is not int or not 0 < participant_id < 2**63:
        return None
    participant = db.session.get(Participant, participant_id)
    if (
        participant is None
        or participant.course_id != course.id
        or not participant.legacy_cookie
        or participant.forgotten_at is not None
    ):
        return None
    return participant


def unit_suggestions(course: Course) -> list[str]:
    """Units already named in the course, so people pick the same spelling."""
    used = db.session.scalars(
        select(Participant.unit)
        .where(Participant.course_id == course.id, Participant.unit != "")
        .distinct()
    ).all()
    return sorted({course.unit, *used} - {""}, key=str.casefold)


def participant_revision(course: Course, token: str | None) -> tuple[int, int] | None:
    """(id, own revision) of the participant a cookie names, for their poll's ETag,
    without loading them."""
    if not token or len(token) > 64:
        return None
    row = db.session.execute(
        select(Participant.id, Participant.revision).where(
            Participant.token == token,
            Participant.course_id == course.id,
            Participant.forgotten_at.is_(None),
        )
    ).first()
    return (row.id, row.revision) if row is not None else None


@dataclass(frozen=True)
class PollRevisions:
    """What a phone's poll key needs, read without loading the course or the person."""

    course_id: int
    course_revision: int
    own: dict[str, tuple[int, int]]  # token -> (participant id, own revision) in the course


_courses, _people = Course.__table__, Participant.__table__
# Built once: a phone asks this every 2 s, and building the statement costs more than
# running it. One row per participant of the course among the tokens, or one without any.
_POLL_REVISIONS = (
    select(
        _courses.c.id,
        _courses.c.revision,
        _people.c.token,
        _people.c.id.label("participant_id"),
        _people.c.revision.label("own_revision"),
    )
    .select_from(
        _courses.outerjoin(
            _people,
            and_(
                _people.c.course_id == _courses.c.id,
                _people.c.token.in_(bindparam("tokens", expanding=True)),
                _people.c.forgotten_at.is_(None),
            ),
        )
    )
    .where(_courses.c.join_code == bindparam("code"))
)


def poll_revisions(code: str, tokens: list[str]) -> PollRevisions | None:
    """The course's revision and, of the participants `tokens` name in it, each one's own
    revision, in one query; None when no course has the code."""
    code = normalise_join_code(code)
    if not code or len(code) > 12:
        return None
    tokens = [token for token in tokens if token and len(token) <= 64] or [""]
    rows = db.session.connection().execute(_POLL_REVISIONS, {"code": code, "tokens": tokens})
    rows = rows.all()
    if not rows:
        return None
    own = {row.token: (row.participant_id, row.own_revision) for row in rows if row.token}
    return PollRevisions(rows[0].id, rows[0].revision, own)


@functools.cache
def _participant_with_course(model: type | None = None):
    """The statement of participant_with_course (with an item of `model`: of
    voter_with_item), built once."""
    statement = select(Participant, Course).join(Course, Participant.course_id == Course.id)
    if model is not None:
        statement = statement.add_columns(model).outerjoin(
            model, and_(model.id == bindparam("item"), model.course_id == Course.id)
        )
    return statement.where(
        Course.join_code == bindparam("code"),
        Participant.token.in_(bindparam("tokens", expanding=True)),
        Participant.forgotten_at.is_(None),
    )


def _phone_lookup(code: str, tokens: list[str]) -> dict | None:
    """The parameters for finding a phone's participant by course code and cookie tokens;
    None when the code or the tokens can't name anyone."""
    code = normalise_join_code(code)
    tokens = [token for token in tokens if token and len(token) <= 64]
    if not code or len(code) > 12 or not tokens:
        return None
    return {"code": code, "tokens": tokens}


def participant_with_course(code: str, tokens: list[str]) -> tuple[Participant, Course] | None:
    """(participant, course) for the participant among `tokens` in the course with `code`,
    in one query (a phone's poll that draws its region); None when there is no such one.
    The course is returned for the reason voter_with_item gives."""
    values = _phone_lookup(code, tokens)
    if values is None:
        return None
    row = db.session.execute(_participant_with_course(), values).first()
    return tuple(row) if row is not None else None


def voter_with_item(code: str, tokens: list[str], model: type, item_id: int):
    """For a phone's tap on a dot: (participant, course, item) for the participant among
    `tokens` in the course with `code` and that course's item of `model` with `item_id`
    (None when it has none), in one query. None when no such participant is in such a
    course. The course is returned, not only loaded: the session holds it weakly, and
    `participant.course` would load it again once it was collected."""
    values = _phone_lookup(code, tokens)
    if values is None:
        return None
    values["item"] = item_id if isinstance(item_id, int) and 0 < item_id < 2**63 else 0
    row = db.session.execute(_participant_with_course(model), values).first()
    return tuple(row) if row is not None else None


def forgotten_by_token(course: Course, token: str | None) -> Participant | None:
    """The participant a cookie names who has deleted their data in this course: only
    a second tap of the same delete button (sent before the first reply took the cookie's
    entry away) still holds the token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.token == token,
            Participant.course_id == course.id,
            Participant.forgotten_at.is_not(None),
        )
    )
