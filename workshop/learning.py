"""Step 6: the status of everything, lessons and results, and decisions on next steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, Card, Course, Lesson, Solution
from workshop.core.text import clean_text, tidy
from workshop.core.vocabulary import (
    ACTION_STATUSES,
    LESSON_KINDS,
    NEXT_STEP_KINDS,
    PRIORITY_STATUSES,
)
from workshop.courses import touch

LESSON_MAX = 2000
# Challenges a decision can take up next: those the group put off, or never decided on.
TAKE_UP_LATER = ("later", "open")


def add_lesson(
    course: Course,
    kind: str,
    text: str,
    *,
    next_step_kind: str = "",
    responsible: str = "",
    due: date | None = None,
    card_id: int | None = None,
) -> Lesson:
    """Record a lesson, a product or process result, or a decision on the next steps (the
    only kind with a way of keeping going, someone responsible, a date and a challenge)."""
    if kind not in LESSON_KINDS:
        raise WorkshopError(_("Choose what kind of note it is."), code="kind")
    if kind != "decision" and any((next_step_kind, (responsible or "").strip(), due, card_id)):
        # Saving would quietly drop what was typed for the decision: ask instead.
        raise WorkshopError(
            _(
                "Only a decision on next steps has a way of keeping going, someone "
                "responsible, a date and a challenge. Choose that kind, or empty those fields."
            ),
            code="kind",
        )
    text = clean_text(text, max_length=LESSON_MAX, allow_cpr_like=True)
    responsible = tidy(responsible)
    if len(responsible) > 200:
        raise WorkshopError(_("“Responsible” can be at most 200 characters."))
    if kind == "decision" and next_step_kind not in NEXT_STEP_KINDS:
        raise WorkshopError(_("Choose how the method is kept going."), code="next_step")
    if card_id is not None:
        card = db.session.get(Card, card_id)
        if card is None or card.course_id != course.id:
            raise WorkshopError(_("That challenge is not in this course."), code="card")
    lesson = Lesson(
        course_id=course.id,
        kind=kind,
        text=text,
        next_step_kind=next_step_kind,
        responsible=responsible,
        due=due,
        card_id=card_id,
    )
    db.session.add(lesson)
    touch(course)
    db.session.commit()
    return lesson


def delete_lesson(lesson: Lesson) -> None:
    course = db.session.get(Course, lesson.course_id)
    db.session.delete(lesson)
    touch(course)
    db.session.commit()


def lesson_in_course(course: Course, lesson_id: int) -> Lesson | None:
    lesson = db.session.get(Lesson, lesson_id)
    return lesson if lesson is not None and lesson.course_id == course.id else None


def lessons_by_kind(course: Course) -> list[tuple[str, list[Lesson]]]:
    grouped: dict[str, list[Lesson]] = {kind: [] for kind in LESSON_KINDS}
    for lesson in db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id)
        .options(selectinload(Lesson.card))
        .order_by(Lesson.id)
    ):
        grouped[lesson.kind].append(lesson)
    return list(grouped.items())


@dataclass
class ChallengeStatus:
    card: Card
    solutions: list[Solution] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass
class CourseStatus:
    challenges: list[ChallengeStatus]
    action_counts: list[tuple[str, int]]  # status -> number of actions, every status listed

    @property
    def action_total(self) -> int:
        return sum(count for _status, count in self.action_counts)

    @property
    def priority_counts(self) -> list[tuple[str, int]]:
        """How many challenges ended up prioritised, later, outside the frame or undecided."""
        counts = dict.fromkeys(PRIORITY_STATUSES, 0)
        for row in self.challenges:
            counts[row.card.priority] += 1
        return [(key, counts[key]) for key in ("prioritised", "later", "out_of_scope", "open")]


def course_status(course: Course) -> CourseStatus:
    """Every challenge on one screen: prioritised first, then later, out of scope and
    undecided, each with its solutions and actions. Nothing anyone wrote is left out."""
    cards = db.session.scalars(
        select(Card)
        .where(Card.course_id == course.id, Card.hidden.is_(False), Card.merged_into_id.is_(None))
        .order_by(Card.id)
    ).all()
    rows = {card.id: ChallengeStatus(card) for card in cards}
    for solution in db.session.scalars(
        select(Solution)
        .where(Solution.course_id == course.id, Solution.hidden.is_(False))
        .options(selectinload(Solution.action))
        .order_by(Solution.id)
    ):
        row = rows.get(solution.card_id)
        if row is None:
            continue
        row.solutions.append(solution)
        if solution.action is not None:
            row.actions.append(solution.action)
    order = {"prioritised": 0, "later": 1, "out_of_scope": 2, "open": 3}
    challenges = sorted(rows.values(), key=lambda row: (order[row.card.priority], row.card.id))
    counts = dict.fromkeys(ACTION_STATUSES, 0)
    for status in db.session.scalars(select(Action.status).where(Action.course_id == course.id)):
        counts[status] += 1
    return CourseStatus(challenges, list(counts.items()))
