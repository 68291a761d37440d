"""A participant's privacy: the notice they read before they join, and deleting their own
name and texts from their phone.

What deleting does, and why: the participant's name, unit and work email are emptied (their role
stays, so the dots they gave still count in the totals and in the split by role, which
never named anyone); every text they wrote — cards, touchpoints of the citizen's path,
answers, solutions and how they assessed them, status notes on actions they own, notes on
measure entries — is replaced by
"[Slettet af deltageren]" through the same code as the facilitator's redaction
(workshop.redaction), so the words also leave the experience bank's snapshots, solutions
other courses copied, the action chosen from their solution and the rendered PDFs. Cards
other people wrote that were merged into theirs keep their words: they are not theirs.
The row is then marked forgotten: no phone's cookie names it any more (the phone is
detached from the course), while their dots stay in the totals without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    Course,
    DialogueAnswer,
    MeasureEntry,
    Organisation,
    Participant,
    Solution,
    Touchpoint,
    Vote,
    utcnow,
)
from workshop.core.text import deletion_marker, tidy
from workshop.redaction import (
    redact_answer_everywhere,
    redact_card_everywhere,
    redact_solution_everywhere,
    redact_touchpoint_everywhere,
    touch_and_forget,
)

CONTROLLER_MAX = 200
CONTACT_MAX = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Notice:
    """What the privacy notice says for one course."""

    controller: str  # the data controller: the organisation, or whom its admin named
    contact: str  # where to write about one's data (the DPO), or "" when none is given
    organisation: str
    facilitator_email: str  # who runs the course: the first person to ask
    min_group_size: int
    retention_days: int | None  # None: kept until the facilitator deletes the course
    # Issue 14: a course across departments stores the department each person picked.
    across_departments: bool = False


def privacy_notice(course: Course) -> Notice:
    organisation = course.organisation
    return Notice(
        controller=organisation.controller,
        contact=organisation.privacy_contact,
        organisation=organisation.name,
        facilitator_email=course.facilitator.email,
        min_group_size=course.min_group_size,
        retention_days=current_app.config.get("RETENTION_DAYS"),
        across_departments=course.across_departments,
    )


def set_controller(organisation: Organisation, name: str, contact: str) -> Organisation:
    """The admin names the data controller (empty: the organisation itself) and the
    address participants write to about their data (the DPO's, say; may be empty)."""
    name, contact = " ".join(tidy(name).split()), tidy(contact)
    if len(name) > CONTROLLER_MAX:
        raise WorkshopError(
            _("The name can be at most %(n)s characters.", n=CONTROLLER_MAX), code="name"
        )
    if contact and (len(contact) > CONTACT_MAX or not _EMAIL.match(contact)):
        raise WorkshopError(
            _("Write the contact as an email address, for example dpo@kommune.dk."),
            code="contact",
        )
    organisation.controller_name = name
    organisation.privacy_contact = contact
    db.session.commit()
    return organisation


@dataclass(frozen=True)
class OwnData:
    """What the app holds about one participant, for their "my data" page."""

    role: str
    unit: str
    name: str
    cards: int
    answers: int
    solutions: int
    notes: int  # status notes on actions they own and notes on their measure entries
    dots: int
    actions: int  # actions they own: these stay, without their name
    touchpoints: int  # on the citizen's path
    email: str = ""  # their work email for reminders (workshop.reminders), "" when none


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def own_data(participant: Participant) -> OwnData:
    mine = participant.id
    return OwnData(
        role=participant.role,
        unit=participant.unit,
        name=participant.name,
        cards=_count(select(Card.id).where(Card.participant_id == mine)),
        answers=_count(select(DialogueAnswer.id).where(DialogueAnswer.participant_id == mine)),
        solutions=_count(select(Solution.id).where(Solution.participant_id == mine)),
        notes=_count(
            select(ActionUpdate.id).where(
                ActionUpdate.participant_id == mine, ActionUpdate.note != ""
            )
        )
        + _count(
            select(MeasureEntry.id).where(
                MeasureEntry.participant_id == mine, MeasureEntry.note != ""
            )
        ),
        dots=db.session.scalar(select(func.sum(Vote.dots)).where(Vote.participant_id == mine)) or 0,
        actions=_count(select(Action.id).where(Action.owner_id == mine)),
        touchpoints=_count(select(Touchpoint.id).where(Touchpoint.participant_id == mine)),
        email=participant.email,
    )


def forget_participant(participant: Participant) -> bool:
    """Delete a participant's name, unit and words everywhere they reach; keep their role
    and dots. Returns False if they had done so already (a double tap), True otherwise."""
    course = lock_row(participant.course)  # one deletion at a time, in cast_vote's order
    participant = lock_row(participant)
    if participant.forgotten_at is not None:
        return False
    marker = deletion_marker()
    mine = participant.id
    participant.name = ""
    participant.unit = ""
    participant.email = ""  # no more reminders, and the address leaves with the rest
    participant.forgotten_at = utcnow()
    for card in db.session.scalars(select(Card).where(Card.participant_id == mine)):
        redact_card_everywhere(card, marker=marker, merged=False)
    for touchpoint in db.session.scalars(
        select(Touchpoint).where(Touchpoint.participant_id == mine)
    ):
        redact_touchpoint_everywhere(touchpoint, marker=marker, merged=False)
    for answer in db.session.scalars(
        select(DialogueAnswer).where(DialogueAnswer.participant_id == mine)
    ):
        redact_answer_everywhere(answer, marker=marker)
    reached = {course.id}
    for solution in db.session.scalars(select(Solution).where(Solution.participant_id == mine)):
        reached |= redact_solution_everywhere(solution, marker=marker)
        if solution.evidence:  # "how will we see it?" is their words too
            solution.evidence = marker
    for update in db.session.scalars(
        select(ActionUpdate).where(ActionUpdate.participant_id == mine, ActionUpdate.note != "")
    ):
        action = db.session.get(Action, update.action_id)
        if action is not None and action.dropped_reason == update.note:
            action.dropped_reason = marker  # a drop's reason is the note that dropped it
        update.note = marker
    for entry in db.session.scalars(
        select(MeasureEntry).where(MeasureEntry.participant_id == mine, MeasureEntry.note != "")
    ):
        entry.note = marker
    touch_and_forget(reached)
    db.session.commit()
    return True
