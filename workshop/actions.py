"""Step 4: the action plan. Who does what differently, from when, and how it is going."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, ActionUpdate, Course, Participant, Solution, utcnow
from workshop.core.text import clean_text, tidy
from workshop.core.vocabulary import ACTION_STATUSES, BARRIERS
from workshop.courses import touch

ACTION_TEXT_MAX = 2000
TITLE_MAX = 500
NOTE_MAX = 1000
# An action nobody has touched for this long, while still waiting or in test, is chased.
QUIET_DAYS = 21

TEXT_FIELDS = ("who_does_what", "first_step", "communication", "success_signs")
SHORT_FIELDS = {"owner_name": 120, "pilot_unit": 200, "watched_by": 200}
ACTION_FIELDS = (
    "title",
    "owner_id",
    *SHORT_FIELDS,
    *TEXT_FIELDS,
    "start_date",
    "pilot_from",
    "pilot_to",
    "barriers",
)


def _course_of(action: Action) -> Course:
    return db.session.get(Course, action.course_id)


def _limited(value: str | None, limit: int) -> str:
    value = tidy(value)
    if len(value) > limit:
        raise WorkshopError(
            _("A field can be at most %(n)s characters. Shorten it a little.", n=limit),
            code="too_long",
        )
    return value


def _clean_barriers(raw: dict) -> dict:
    cleaned = {}
    for kind, entry in (raw or {}).items():
        if kind not in BARRIERS:
            raise WorkshopError(_("Unknown barrier."), code="barrier")
        note = _limited(entry.get("note"), NOTE_MAX)
        checked = bool(entry.get("checked")) or bool(note)
        if checked:
            cleaned[kind] = {"checked": True, "note": note}
    return cleaned


def update_action(action: Action, *, today: date | None = None, **fields) -> Action:
    """Save the facilitator's edit of an action. Everything is checked before anything is
    assigned, so a refused edit leaves the action as it was (and the form as typed)."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    today = today or local_today()
    cleaned: dict = {}
    if "title" in fields:
        cleaned["title"] = clean_text(fields["title"], max_length=TITLE_MAX, allow_cpr_like=True)
    for name in TEXT_FIELDS:
        if name in fields:
            cleaned[name] = _limited(fields[name], ACTION_TEXT_MAX)
    for name, limit in SHORT_FIELDS.items():
        if name in fields:
            cleaned[name] = _limited(fields[name], limit)
    if "owner_id" in fields:
        owner_id = fields["owner_id"] or None
        if owner_id is not None:
            owner = db.session.get(Participant, owner_id)
            if owner is None or owner.course_id != action.course_id:
                raise WorkshopError(_("The owner must be a participant in this course."))
        cleaned["owner_id"] = owner_id
    if "start_date" in fields:
        # A date in the past is allowed: actions are often recorded after they started.
        cleaned["start_date"] = fields["start_date"]
    pilot_from = fields.get("pilot_from", action.pilot_from)
    pilot_to = fields.get("pilot_to", action.pilot_to)
    if pilot_from and pilot_to and pilot_to < pilot_from:
        raise WorkshopError(_("The test period ends before it begins."), code="period")
    for name in ("pilot_from", "pilot_to"):
        if name in fields:
            cleaned[name] = fields[name]
    if "barriers" in fields:
        cleaned["barriers"] = _clean_barriers(fields["barriers"])
    for name, value in cleaned.items():
        setattr(action, name, value)
    action.updated_at = utcnow()
    touch(_course_of(action))
    db.session.commit()
    return action


def started_before_recorded(action: Action, today: date | None = None) -> bool:
    """Its start date has passed but its status still says "not started": most likely it
    was recorded after the fact, and its status wants updating."""
    today = today or local_today()
    return (
        action.start_date is not None
        and action.start_date < today
        and action.status == "not_started"
    )


def set_action_status(
    action: Action, status: str, *, note: str = "", by: Participant | None = None
) -> Action:
    """Change an action's status, logging who did it. `by` is the owner on a phone;
    None means the facilitator. Dropping an action needs a reason."""
    if by is not None:
        if by.course_id != action.course_id:
            raise WorkshopError(_("That action is not in your course."), code="course")
        if by.id != action.owner_id:
            raise WorkshopError(
                _("Only the action's owner can update it from a phone."), code="owner"
            )
    if not status:
        raise WorkshopError(_("Choose a status."), code="status")
    if status not in ACTION_STATUSES:
        raise WorkshopError(_("Unknown status."), code="status")
    note = _limited(note, NOTE_MAX)
    if status == "dropped" and not note:
        raise WorkshopError(_("Say why the action is dropped."), code="reason")
    if status == action.status and not note:
        return action  # a double tap: nothing new to log
    action.status = status
    if status == "dropped":
        action.dropped_reason = note
    action.updated_at = utcnow()
    db.session.add(
        ActionUpdate(action=action, status=status, note=note, participant_id=by.id if by else None)
    )
    touch(_course_of(action))
    db.session.commit()
    return action


def _actions_query(course: Course):
    return (
        select(Action)
        .where(Action.course_id == course.id)
        .options(
            selectinload(Action.solution).selectinload(Solution.card),
            selectinload(Action.owner),
        )
        .order_by(Action.id)
    )


def actions_of(course: Course) -> list[Action]:
    return list(db.session.scalars(_actions_query(course)))


def actions_owned_by(participant: Participant) -> list[Action]:
    return list(
        db.session.scalars(
            _actions_query(participant.course).where(Action.owner_id == participant.id)
        )
    )


def action_in_course(course: Course, action_id: int) -> Action | None:
    action = db.session.get(Action, action_id)
    return action if action is not None and action.course_id == course.id else None


def action_board(course: Course) -> list[tuple[str, list[Action]]]:
    """The action plan as a board: one column per status, in the order of an action's life."""
    columns: dict[str, list[Action]] = {status: [] for status in ACTION_STATUSES}
    for action in actions_of(course):
        columns[action.status].append(action)
    return list(columns.items())


@dataclass(frozen=True)
class StuckAction:
    action: Action
    reason: str


def stuck_actions(course: Course, today: date | None = None) -> list[StuckAction]:
    """What to chase at the closing workshop: drafts, late starts, tests that ran out,
    and actions nobody has touched for weeks."""
    today = today or local_today()
    stuck = []
    for action in actions_of(course):
        if action.status in ("implemented", "dropped"):
            continue
        if action.is_draft:
            reason = _("No owner or start date yet.")
        elif action.status == "not_started" and action.start_date < today:
            reason = _(
                "Should have started on %(date)s.", date=format_date(action.start_date, "long")
            )
        elif action.status == "in_test" and action.pilot_to and action.pilot_to < today:
            reason = _(
                "The test ended on %(date)s: implement, adjust or drop it.",
                date=format_date(action.pilot_to, "long"),
            )
        elif _last_touched(action) < today - timedelta(days=QUIET_DAYS):
            reason = _("No news for more than %(n)s days.", n=QUIET_DAYS)
        else:
            continue
        stuck.append(StuckAction(action, reason))
    return stuck


def _last_touched(action: Action) -> date:
    return action.updated_at.date()
