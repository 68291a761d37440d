"""Courses: creating, editing, copying and deleting them; join codes, steps, timer, activity."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, union_all, update

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    CardBox,
    CardFeedback,
    CardRequirement,
    ClearedVotes,
    Course,
    DialogueAnswer,
    Facilitator,
    Lesson,
    ManagerLink,
    Measure,
    MeasureEntry,
    Meeting,
    Participant,
    RenderedPdf,
    Share,
    SharedChallenge,
    SharedRequirement,
    SharedSolution,
    Solution,
    StateFeedback,
    Touchpoint,
    Vote,
)
from workshop.core.text import tidy
from workshop.core.vocabulary import ROLES, STEP_COUNT

# Easy to read aloud and to type on a phone: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, G/6, U/V.
# 21 symbols, 6 long: 85 million codes. Rate limits on joining come with issue 6.
JOIN_CODE_ALPHABET = "ACDEFHJKMNPRTWXY34679"
JOIN_CODE_LENGTH = 6

COURSE_FIELDS = (
    "title",
    "municipality",
    "unit",
    "purpose",
    "core_task",
    "frame_can_change",
    "frame_cannot_change",
    "dialogue_questions",
    "reflection_questions",
    "dot_budget",
    "multiple_dots_per_card",
    "min_group_size",
    "across_departments",  # issue 14: phones pick their department when joining
    "invites_citizens",  # issue 14: citizens and relatives join as a group of their own
)


# What a new course starts with (column defaults only apply at INSERT, after validation).
COURSE_DEFAULTS = {
    "unit": "",
    "purpose": "",
    "core_task": "",
    "frame_can_change": "",
    "frame_cannot_change": "",
    "dialogue_questions": "",
    "reflection_questions": "",
    "dot_budget": 5,
    "multiple_dots_per_card": True,
    "min_group_size": 3,
    "across_departments": False,
    "invites_citizens": False,
}


def default_dialogue_questions() -> str:
    return "\n".join(
        [
            _("When does governance help our core task?"),
            _("When does governance get in the way of our core task?"),
            _("What would you do differently if you could decide tomorrow?"),
        ]
    )


def default_reflection_questions() -> str:
    return "\n".join(
        [
            _("Did we involve the right people?"),
            _("Were we open to each other's input?"),
            _("Did we communicate enough, and at the right time?"),
            _("What did the process give us beyond the concrete changes?"),
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


def note_activity(course: Course) -> None:
    """Someone joined or wrote a card: only the projector and the control panel refresh.
    The phone that did it gets its own card in the reply; the others show nothing of it
    (cards are collected privately). Dots don't even do this (votes.vote_mark)."""
    course.activity = Course.activity + 1


def create_course(facilitator: Facilitator, **fields) -> Course:
    course = Course(join_code=new_join_code())
    _apply_fields(course, {**COURSE_DEFAULTS, **fields})
    organisation_id = facilitator.organisation_id  # read before the course is pending
    course.facilitator = facilitator  # only once valid: a refused course is never pending
    course.organisation_id = organisation_id
    if not (course.dialogue_questions or "").strip():
        course.dialogue_questions = default_dialogue_questions()
    if not (course.reflection_questions or "").strip():
        course.reflection_questions = default_reflection_questions()
    db.session.add(course)
    db.session.commit()
    return course


def update_course(course: Course, **fields) -> Course:
    # No vote may land between the check below and the commit (votes hold this row FOR
    # SHARE on PostgreSQL; on SQLite the write lock is held already).
    course = lock_row(course)
    dots_change = fields.get("dot_budget", course.dot_budget) != course.dot_budget or (
        fields.get("multiple_dots_per_card", course.multiple_dots_per_card)
        != course.multiple_dots_per_card
    )
    new_minimum = fields.get("min_group_size", course.min_group_size)
    # Anonymity can be tightened at any time but not loosened under given dots: a smaller
    # minimum would show a role group's dots (on the projector, in the CSV and the PDF)
    # that were given when its size held them back. Raising it stays allowed.
    loosened = isinstance(new_minimum, int) and new_minimum < course.min_group_size
    if (dots_change or loosened) and db.session.scalar(
        select(Vote.id).where(Vote.course_id == course.id).limit(1)
    ):
        if dots_change:
            # Dots already given were given under the old rules: a new budget would leave
            # some people with negative dots, or several dots where only one is now allowed.
            message = _(
                "Dots have been given already. Start the vote over before changing the dots."
            )
        else:
            message = _(
                "Dots have been given already, so the smallest group shown can only be raised "
                "(to %(n)s or more): a smaller one could show how one or two people voted. "
                "Start the vote over to lower it.",
                n=course.min_group_size,
            )
        raise WorkshopError(message, code="votes" if dots_change else "anonymity")
    try:
        _apply_fields(course, fields)
    except WorkshopError:
        db.session.rollback()  # leave nothing half-changed in the session
        raise
    if dots_change or loosened:
        # A restarted vote's dots were given under the old rules: bringing them back now
        # would pass the budget, or show a small group's dots the old minimum held back.
        db.session.execute(delete(ClearedVotes).where(ClearedVotes.course_id == course.id))
    touch(course)
    db.session.commit()
    return course


def _apply_fields(course: Course, fields: dict) -> None:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(course, name, tidy(value) if isinstance(value, str) else value)
    if not (course.title or "").strip():
        raise WorkshopError(_("The course needs a title."))
    for name, label, limit in (
        ("title", _("The title"), 200),
        ("municipality", _("The municipality"), 120),
        ("unit", _("The unit"), 120),
    ):
        # The database's column width: PostgreSQL refuses anything longer.
        if len(getattr(course, name) or "") > limit:
            raise WorkshopError(
                _("%(field)s can be at most %(n)s characters.", field=label, n=limit),
                code="too_long",
            )
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
    course.projector_join = "auto"  # a choice about the join screen was for that step
    touch(course)
    db.session.commit()
    return course


def advance_step(course: Course, delta: int = 1) -> Course:
    """Move forwards (delta 1) or back (delta -1), staying within the six steps."""
    target = min(max(course.current_step + delta, 1), STEP_COUNT)
    return go_to_step(course, target)


TIMER_MAX_MINUTES = 180
TIMER_LABEL_MAX = 120


def start_timer(course: Course, minutes: int, label: str = "", *, now=None) -> Course:
    """Start a countdown for an activity, shown on the projector and every phone."""
    if not isinstance(minutes, int) or not 1 <= minutes <= TIMER_MAX_MINUTES:
        raise WorkshopError(
            _("The timer runs from 1 to %(max)s minutes.", max=TIMER_MAX_MINUTES), code="minutes"
        )
    label = tidy(label)
    if len(label) > TIMER_LABEL_MAX:
        raise WorkshopError(
            _("The timer's label can be at most %(n)s characters.", n=TIMER_LABEL_MAX)
        )
    now = now or datetime.now(UTC)
    course.timer_started_at = now
    course.timer_ends_at = now + timedelta(minutes=minutes)
    course.timer_label = label
    touch(course)
    db.session.commit()
    return course


def timer_seconds_left(course: Course, now: datetime | None = None) -> int | None:
    """Whole seconds until the timer ends (0 once it has); None when no timer runs."""
    ends = course.timer_ends_at
    if ends is None:
        return None
    if ends.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
        ends = ends.replace(tzinfo=UTC)
    left = (ends - (now or datetime.now(UTC))).total_seconds()
    return max(0, math.ceil(left))


def epoch_ms(moment: datetime | None = None) -> int:
    """Milliseconds since 1970 (a naive time is UTC, as SQLite hands it back), for app.js."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def stop_timer(course: Course) -> Course:
    course.timer_started_at = None
    course.timer_ends_at = None
    course.timer_label = ""
    touch(course)
    db.session.commit()
    return course


def copy_course(course: Course, facilitator: Facilitator) -> Course:
    """A new course for the next unit, built on this one: the frame, the questions and the
    dot rules come along (the facilitator's own rules in the catalogue are theirs anyway);
    cards, votes, people and everything they made do not."""
    fields = {name: getattr(course, name) for name in COURSE_FIELDS}
    fields["title"] = _("Copy of %(title)s", title=course.title)[:200]
    return create_course(facilitator, **fields)


PROJECTOR_JOIN_CHOICES = ("auto", "big", "small")


def set_projector_join(course: Course, choice: str) -> Course:
    """The facilitator shows the big join screen on the projector now ("big"), puts it
    away to show the step ("small"), or leaves it to the rule ("auto")."""
    if choice not in PROJECTOR_JOIN_CHOICES:
        raise WorkshopError(_("Unknown choice."), code="choice")
    course.projector_join = choice
    touch(course)  # the projector's poll is keyed by the revision
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


def delete_course(course: Course) -> None:
    """Delete a course and everything that hangs off it: people, answers, cards and their
    links, votes, solutions, actions and their log, measures and entries, lessons, manager
    links, the feedback to the state and what it shared with the experience bank. The
    catalogue stays (law entries and the facilitator's own rules are not the course's); so
    does the facilitator.

    Each table is emptied explicitly, children first, rather than trusting ON DELETE
    CASCADE: SQLite enforces it only with foreign keys switched on for the connection.
    """
    course_id = course.id
    actions = select(Action.id).where(Action.course_id == course_id)
    measures = select(Measure.id).where(Measure.action_id.in_(actions))
    cards = select(Card.id).where(Card.course_id == course_id)
    solutions = select(Solution.id).where(Solution.course_id == course_id)
    # What the course shared with the experience bank goes too: nobody could withdraw it
    # once the course is gone. Solutions other courses copied from it are theirs and stay.
    shares = select(Share.id).where(Share.course_id == course_id)
    shared_challenges = select(SharedChallenge.id).where(SharedChallenge.share_id.in_(shares))
    for statement in (
        delete(SharedRequirement).where(SharedRequirement.challenge_id.in_(shared_challenges)),
        delete(SharedSolution).where(SharedSolution.challenge_id.in_(shared_challenges)),
        delete(SharedChallenge).where(SharedChallenge.share_id.in_(shares)),
        delete(Share).where(Share.course_id == course_id),
        delete(StateFeedback).where(StateFeedback.course_id == course_id),
        delete(MeasureEntry).where(MeasureEntry.measure_id.in_(measures)),
        delete(Measure).where(Measure.action_id.in_(actions)),
        delete(ActionUpdate).where(ActionUpdate.action_id.in_(actions)),
        delete(Action).where(Action.course_id == course_id),
        delete(Vote).where(Vote.course_id == course_id),
        delete(ClearedVotes).where(ClearedVotes.course_id == course_id),
        delete(Lesson).where(Lesson.course_id == course_id),
        # Copies other courses made of its solutions stay theirs, without a source to trace
        # (ids may be reused on SQLite: a stale one would point at a stranger's solution).
        update(Solution).where(Solution.copied_from_id.in_(solutions)).values(copied_from_id=None),
        delete(Solution).where(Solution.course_id == course_id),
        delete(RenderedPdf).where(RenderedPdf.course_id == course_id),
        delete(CardRequirement).where(CardRequirement.card_id.in_(cards)),
        # Merged cards point at each other: undo that first, so the order never matters.
        update(Card).where(Card.course_id == course_id).values(merged_into_id=None),
        delete(Card).where(Card.course_id == course_id),
        delete(DialogueAnswer).where(DialogueAnswer.course_id == course_id),
        delete(ManagerLink).where(ManagerLink.course_id == course_id),
        delete(CardBox).where(CardBox.course_id == course_id),
        delete(Participant).where(Participant.course_id == course_id),
        delete(Course).where(Course.id == course_id),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    db.session.commit()
    db.session.expunge_all()  # nothing stale from the deleted course stays in the session


def confirm_deletion(course: Course, typed_title: str | None) -> None:
    """Deleting is for good: refused unless the course's title was typed (spacing aside)."""
    if " ".join((typed_title or "").split()) != " ".join(course.title.split()):
        raise WorkshopError(
            _("Type the course's title exactly as it is to delete the course."),
            code="confirm_title",
        )


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def last_activity(course: Course) -> datetime:
    """When anything last happened in the course: the newest time anyone joined, wrote,
    voted on a choice, logged, planned, or the facilitator made a link, a lesson or a
    feedback (the course's own creation time if nothing has happened since). A meeting
    still to come and a card box still open count until they end: a course between its
    workshops is not idle."""
    course_id = course.id
    actions = select(Action.id).where(Action.course_id == course_id)
    stamps = union_all(
        select(Course.created_at.label("at")).where(Course.id == course_id),
        select(Course.timer_started_at).where(Course.id == course_id),
        select(Participant.created_at).where(Participant.course_id == course_id),
        select(DialogueAnswer.created_at).where(DialogueAnswer.course_id == course_id),
        select(Card.created_at).where(Card.course_id == course_id),
        select(Solution.created_at).where(Solution.course_id == course_id),
        select(Solution.chosen_at).where(Solution.course_id == course_id),
        select(Action.updated_at).where(Action.course_id == course_id),
        select(ActionUpdate.created_at).where(ActionUpdate.action_id.in_(actions)),
        select(Measure.created_at).where(Measure.action_id.in_(actions)),
        select(MeasureEntry.created_at).where(
            MeasureEntry.measure_id.in_(select(Measure.id).where(Measure.action_id.in_(actions)))
        ),
        select(Lesson.created_at).where(Lesson.course_id == course_id),
        select(ManagerLink.created_at).where(ManagerLink.course_id == course_id),
        select(Touchpoint.created_at).where(Touchpoint.course_id == course_id),
        select(StateFeedback.updated_at).where(StateFeedback.course_id == course_id),
        select(CardFeedback.updated_at).where(CardFeedback.course_id == course_id),
        select(Meeting.updated_at).where(Meeting.course_id == course_id),
        select(Meeting.ends_at).where(Meeting.course_id == course_id),
        select(CardBox.closes_at).where(CardBox.course_id == course_id),
    ).subquery()
    newest = db.session.scalar(select(func.max(stamps.c.at)))
    return _as_utc(newest) or _as_utc(course.created_at)


def courses_inactive_since(cutoff: datetime) -> list[tuple[Course, datetime]]:
    """Every course whose last activity is older than `cutoff`, oldest first."""
    found = []
    for course in db.session.scalars(select(Course).order_by(Course.id)):
        latest = last_activity(course)
        if latest < cutoff:
            found.append((course, latest))
    return sorted(found, key=lambda pair: pair[1])
