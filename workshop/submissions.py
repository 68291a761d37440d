"""What a phone submits is saved once per form, however often the form is sent."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    Course,
    DialogueAnswer,
    MeasureEntry,
    Solution,
    Touchpoint,
)
from workshop.courses import note_activity, touch

Submission = TypeVar("Submission", Card, DialogueAnswer, Solution, MeasureEntry, Touchpoint)


def already_submitted(
    model: type[Submission], participant_id: int, client_token: str
) -> Submission | None:
    return db.session.scalar(
        select(model).where(
            model.participant_id == participant_id, model.client_token == client_token
        )
    )


def save_once(record: Submission, course: Course, *, phones_see_it: bool = True) -> Submission:
    """Add the record and bump the course's revision in one transaction (its activity
    counter instead when only the screens and the writer's own phone show it).

    If the same form won a race on a database that doesn't take the write lock up front
    (the unique constraint on participant and token fires), return the record that won.
    """
    model, participant_id, token = type(record), record.participant_id, record.client_token
    db.session.add(record)
    if phones_see_it:
        touch(course)
    else:
        note_activity(course)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        winner = already_submitted(model, participant_id, token)
        if winner is None:
            raise
        return winner
    return record
