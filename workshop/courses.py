"""Courses: creating them, their join codes, moving through the steps, the voting round."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from .errors import WorkshopError
from .extensions import db
from .models import Course, Facilitator, Participant, Vote
from .vocabulary import ROLES

# Easy to read aloud and to type on a phone: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, G/6, U/V.
# 21 symbols, 6 long: 85 million codes. Rate limits on joining come with issue 6.
JOIN_CODE_ALPHABET = "ACDEFHJKMNPRTWXY34679"
JOIN_CODE_LENGTH = 6

STEP_COUNT = 6
VOTING_STATES = ("collect", "voting", "closed", "revealed")

COURSE_FIELDS = (
    "title",
    "municipality",
    "unit",
    "purpose",
    "core_task",
    "frame_can_change",
    "frame_cannot_change",
    "dialogue_questions",
    "dot_budget",
    "multiple_dots_per_card",
    "min_group_size",
)


# What a new course starts with (column defaults only apply at INSERT, after validation).
COURSE_DEFAULTS = {
    "unit": "",
    "purpose": "",
    "core_task": "",
    "frame_can_change": "",
    "frame_cannot_change": "",
    "dialogue_questions": "",
    "dot_budget": 5,
    "multiple_dots_per_card": True,
    "min_group_size": 3,
}


def default_dialogue_questions() -> str:
    return "\n".join(
        [
            _("When does governance help our core task?"),
            _("When does governance get in the way of our core task?"),
            _("What would you do differently if you could decide tomorrow?"),
        ]
    )


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.session.scalar(select(Course.id).where(Course.join_code == code)):
            return code


def normalise_join_code(raw: str) -> str:
    """What a person typed or read aloud, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def format_join_code(code: str) -> str:
    """Two groups of three are easier to read aloud: 'KAT 4MX'."""
    return f"{code[:3]} {code[3:]}"


def find_course_by_code(raw: str) -> Course | None:
    code = normalise_join_code(raw)
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(Course).where(Course.join_code == code))


def touch(course: Course) -> None:
    """Bump the course's revision in the current transaction, so live views refresh."""
    course.revision = Course.revision + 1


def create_course(facilitator: Facilitator, **fields) -> Course:
    course = Course(join_code=new_join_code())
    _apply_fields(course, {**COURSE_DEFAULTS, **fields})
    course.facilitator = facilitator  # only once valid: a refused course is never pending
    if not (course.dialogue_questions or "").strip():
        course.dialogue_questions = default_dialogue_questions()
    db.session.add(course)
    db.session.commit()
    return course


def update_course(course: Course, **fields) -> Course:
    dots_change = fields.get("dot_budget", course.dot_budget) != course.dot_budget or (
        fields.get("multiple_dots_per_card", course.multiple_dots_per_card)
        != course.multiple_dots_per_card
    )
    if dots_change and db.session.scalar(
        select(Vote.id).where(Vote.course_id == course.id).limit(1)
    ):
        # Dots already given were given under the old rules: a new budget would leave some
        # people with negative dots, or several dots where only one is now allowed.
        raise WorkshopError(
            _("Dots have been given already. Start the vote over before changing the dots."),
            code="votes",
        )
    try:
        _apply_fields(course, fields)
    except WorkshopError:
        db.session.rollback()  # leave nothing half-changed in the session
        raise
    touch(course)
    db.session.commit()
    return course


def _apply_fields(course: Course, fields: dict) -> None:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(course, name, value.strip() if isinstance(value, str) else value)
    if not (course.title or "").strip():
        raise WorkshopError(_("The course needs a title."))
    if not (course.municipality or "").strip():
        raise WorkshopError(_("Say which municipality the course is in."))
    if not 1 <= (course.dot_budget or 0) <= 50:
        raise WorkshopError(_("The dot budget must be between 1 and 50."))
    if not 1 <= (course.min_group_size or 0) <= 50:
        raise WorkshopError(_("The smallest group shown must be between 1 and 50."))


def go_to_step(course: Course, number: int) -> Course:
    if not 1 <= number <= STEP_COUNT:
        raise WorkshopError(_("There is no step %(number)s.", number=number))
    course.current_step = number
    touch(course)
    db.session.commit()
    return course


def advance_step(course: Course, delta: int = 1) -> Course:
    """Move forwards (delta 1) or back (delta -1), staying within the six steps."""
    target = min(max(course.current_step + delta, 1), STEP_COUNT)
    return go_to_step(course, target)


# Which voting states each facilitator action may start from.
_VOTING_TRANSITIONS = {
    "voting": {"collect", "closed", "revealed"},  # open (or reopen) voting
    "closed": {"voting"},  # stop voting, results still hidden
    "revealed": {"voting", "closed"},  # show the results
    "collect": {"voting", "closed", "revealed"},  # back to collecting cards
}


def set_voting_state(course: Course, state: str) -> Course:
    if state not in VOTING_STATES:
        raise WorkshopError(_("Unknown voting state."))
    if course.voting_state == state:
        return course  # a double click: nothing to do
    if course.voting_state not in _VOTING_TRANSITIONS[state]:
        raise WorkshopError(_("That cannot be done in this phase of the vote."))
    course.voting_state = state
    touch(course)
    db.session.commit()
    return course


def set_joining_open(course: Course, is_open: bool) -> Course:
    course.joining_open = is_open
    touch(course)
    db.session.commit()
    return course


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    count: int


def participant_counts(course: Course) -> list[RoleCount]:
    """How many joined in each role, in the method's order, leaving out empty roles."""
    rows = db.session.execute(
        select(Participant.role, func.count())
        .where(Participant.course_id == course.id)
        .group_by(Participant.role)
    ).all()
    counts = dict(rows)
    return [
        RoleCount(role, str(label), counts[role])
        for role, label in ROLES.items()
        if counts.get(role)
    ]
