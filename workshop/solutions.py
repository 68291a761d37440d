"""Step 3: solutions to the prioritised challenges, their assessment, and the choice."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, Card, Course, Participant, Solution, Vote, utcnow
from workshop.core.text import clean_text, tidy
from workshop.core.vocabulary import (
    EFFECT_DIMENSIONS,
    EFFECT_SCALE,
    EFFORT,
    LIKELIHOOD,
    SOLUTION_KINDS,
    StepNumber,
)
from workshop.core.vocabulary import SOLUTION_MAX_LENGTH as MAX_LENGTH
from workshop.courses import touch
from workshop.examination import open_challenge_conditions
from workshop.redaction import redact_solution_everywhere
from workshop.submissions import already_submitted, save_once

EVIDENCE_MAX = 1000
ASSESSMENT_FIELDS = (*EFFECT_DIMENSIONS, "likelihood", "evidence", "effort")


def _check_challenge(card: Card, course: Course) -> None:
    if card.course_id != course.id or card.hidden or card.merged_into_id is not None:
        raise WorkshopError(_("That challenge is not in this course."), code="card")
    if card.priority != "prioritised":
        raise WorkshopError(
            _("Solutions are developed for the prioritised challenges only."), code="priority"
        )


def _check_kind(kind: str) -> str:
    if kind not in SOLUTION_KINDS:
        raise WorkshopError(
            _("Choose the kind of solution: remove, change, embed or keep."), code="kind"
        )
    return kind


def _clean_assessment(fields: dict) -> dict:
    """The method's questions, checked: a scale value, a known answer, a short text."""
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    cleaned = {}
    for name in EFFECT_DIMENSIONS:
        if name in fields:
            value = fields[name]
            if value in ("", None):
                cleaned[name] = None
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = None
            if value not in EFFECT_SCALE:
                raise WorkshopError(_("An effect is rated from -2 to +2."), code="effect")
            cleaned[name] = value
    for name, allowed in (("likelihood", LIKELIHOOD), ("effort", EFFORT)):
        if name in fields:
            value = fields[name] or ""
            if value and value not in allowed:
                raise WorkshopError(_("Choose one of the answers."), code=name)
            cleaned[name] = value
    if "evidence" in fields:
        evidence = tidy(fields["evidence"])
        if len(evidence) > EVIDENCE_MAX:
            raise WorkshopError(
                _("“How will we see it?” can be at most %(n)s characters.", n=EVIDENCE_MAX),
                code="too_long",
            )
        cleaned["evidence"] = evidence
    return cleaned


def propose_solution(
    participant: Participant | None,
    card: Card,
    text: str,
    kind: str,
    *,
    client_token: str,
    allow_cpr_like: bool = False,
    course: Course | None = None,
    **assessment,
) -> Solution:
    """A solution for a prioritised challenge, from a phone (or typed in by the facilitator,
    with `participant` None and `course` given). A resubmitted form returns the first."""
    course = participant.course if participant is not None else course
    if participant is not None:
        existing = already_submitted(Solution, participant.id, client_token)
    else:
        # The facilitator's form carries a token too: a double click adds one solution.
        existing = db.session.scalar(
            select(Solution).where(
                Solution.course_id == course.id,
                Solution.participant_id.is_(None),
                Solution.client_token == client_token,
            )
        )
    if existing is not None:
        return existing
    if course.current_step != StepNumber.SOLUTIONS or course.solution_voting_state != "collect":
        raise WorkshopError(_("New solutions are not being collected right now."), code="closed")
    _check_challenge(card, course)
    text = clean_text(text, max_length=MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    kind = _check_kind(kind)
    cleaned = _clean_assessment(assessment)
    if participant is not None:
        # Compared in Python: SQLite's lower() folds only ASCII, not Æ, Ø and Å.
        written = db.session.scalars(
            select(Solution.text).where(
                Solution.participant_id == participant.id, Solution.card_id == card.id
            )
        )
        if any(other.casefold() == text.casefold() for other in written):
            raise WorkshopError(_("You have already proposed that solution."), code="duplicate")
    solution = Solution(
        course_id=course.id,
        card_id=card.id,
        participant_id=participant.id if participant is not None else None,
        text=text,
        original_text=text,
        kind=kind,
        client_token=client_token,
        **cleaned,
    )
    return save_once(solution, course)


def adopt_solution(
    course: Course,
    card: Card,
    *,
    text: str,
    kind: str,
    source: str,
    client_token: str,
    copied_from_id: int | None = None,
) -> Solution:
    """A solution taken from elsewhere (the experience bank) as a starting proposal for a
    prioritised challenge, added as the facilitator's, with where it came from. Allowed in
    any step: the facilitator may prepare step 3 (though not while step 3's vote is on: a
    new proposal mid-vote would be unfair). The same source twice is refused."""
    if course.current_step == StepNumber.SOLUTIONS and course.solution_voting_state != "collect":
        raise WorkshopError(_("New solutions are not being collected right now."), code="closed")
    _check_challenge(card, course)
    existing = db.session.scalar(
        select(Solution).where(
            Solution.course_id == course.id,
            Solution.card_id == card.id,
            Solution.participant_id.is_(None),
            Solution.client_token == client_token,
        )
    )
    if existing is not None:
        raise WorkshopError(
            _("That solution has already been copied to this challenge."), code="duplicate"
        )
    text = clean_text(text, max_length=MAX_LENGTH, allow_cpr_like=True)
    solution = Solution(
        course_id=course.id,
        card_id=card.id,
        participant_id=None,
        text=text,
        original_text=text,
        kind=_check_kind(kind),
        client_token=client_token,
        source=tidy(source)[:200],
        # The solution it came from, so that redacting that one reaches this copy.
        copied_from_id=copied_from_id,
    )
    return save_once(solution, course)


def _course_of(solution: Solution) -> Course:
    return db.session.get(Course, solution.course_id)


def edit_solution(solution: Solution, text: str, kind: str, **assessment) -> Solution:
    """The facilitator rewords a solution or records the group's assessment."""
    text = clean_text(text, max_length=MAX_LENGTH, allow_cpr_like=True)
    kind = _check_kind(kind)
    cleaned = _clean_assessment(assessment)  # all checked before anything is assigned
    solution.text = text
    solution.kind = kind
    for name, value in cleaned.items():
        setattr(solution, name, value)
    touch(_course_of(solution))
    db.session.commit()
    return solution


def redact_solution(solution: Solution) -> Solution:
    """Replace a solution's words and its author's original words with a marker; its dots,
    assessment and choice stay. The words go everywhere they were copied to
    (workshop.redaction): the action's title, the experience bank's snapshots, and the
    solutions other courses copied from them, which say that their source was redacted."""
    redact_solution_everywhere(solution)
    db.session.commit()
    return solution


def set_solution_hidden(solution: Solution, hidden: bool) -> Solution:
    """Hide a solution from the wall (or show it again); dots on it go back to their owners."""
    if hidden and solution.chosen:
        raise WorkshopError(_("A chosen solution cannot be hidden. Undo the choice first."))
    lock_row(_course_of(solution))  # before the votes, in the order cast_vote takes them
    solution.hidden = hidden
    if hidden:
        db.session.execute(delete(Vote).where(Vote.solution_id == solution.id))
    touch(_course_of(solution))
    db.session.commit()
    return solution


def choose_solution(solution: Solution, decided_by: str = "") -> Action:
    """Mark a solution as chosen, with the manager who decided; it becomes an action."""
    if solution.hidden:
        raise WorkshopError(_("A hidden solution cannot be chosen."), code="hidden")
    if solution.action is None and solution.card.priority != "prioritised":
        raise WorkshopError(
            _("The challenge is no longer prioritised. Prioritise it again to choose this."),
            code="priority",
        )
    decided_by = tidy(decided_by)
    if len(decided_by) > 200:
        raise WorkshopError(_("'Decided by' can be at most 200 characters."))
    solution.chosen = True
    solution.decided_by = decided_by
    solution.chosen_at = solution.chosen_at or utcnow()
    action = solution.action
    if action is None:
        action = Action(course_id=solution.course_id, solution=solution, title=solution.text)
        db.session.add(action)
    touch(_course_of(solution))
    db.session.commit()
    return action


def unchoose_solution(solution: Solution) -> Solution:
    """Undo a choice. An action that has started is dropped with a reason, not deleted."""
    action = solution.action
    if action is not None and (
        action.status != "not_started" or action.updates or action.measures or action.is_planned
    ):
        raise WorkshopError(
            _(
                "The action for this solution has been planned or started. "
                "Drop the action instead, with a reason."
            ),
            code="started",
        )
    if action is not None:
        db.session.delete(action)
    solution.chosen = False
    solution.decided_by = ""
    solution.chosen_at = None
    touch(_course_of(solution))
    db.session.commit()
    return solution


def solution_in_course(course: Course, solution_id: int) -> Solution | None:
    solution = db.session.get(Solution, solution_id)
    return solution if solution is not None and solution.course_id == course.id else None


def challenges_with_solutions(
    course: Course, *, include_hidden: bool = False
) -> list[tuple[Card, list[Solution]]]:
    """Each prioritised challenge with its solutions, oldest first."""
    cards = db.session.scalars(
        select(Card).where(*open_challenge_conditions(course)).order_by(Card.id)
    ).all()
    query = (
        select(Solution)
        .where(Solution.course_id == course.id)
        .options(selectinload(Solution.participant), selectinload(Solution.action))
        .order_by(Solution.id)
    )
    if not include_hidden:
        query = query.where(Solution.hidden.is_(False))
    grouped: dict[int, list[Solution]] = {card.id: [] for card in cards}
    orphans: list[Solution] = []
    for solution in db.session.scalars(query):
        if solution.card_id in grouped:
            grouped[solution.card_id].append(solution)
        else:
            orphans.append(solution)
    result = [(card, grouped[card.id]) for card in cards]
    # A challenge taken off the priority list keeps its solutions in view: nothing vanishes.
    by_other_card: dict[int, list[Solution]] = {}
    for solution in orphans:
        by_other_card.setdefault(solution.card_id, []).append(solution)
    result.extend((solutions[0].card, solutions) for solutions in by_other_card.values())
    return result


def solutions_of(participant: Participant) -> list[Solution]:
    return list(
        db.session.scalars(
            select(Solution)
            .where(Solution.participant_id == participant.id)
            .options(selectinload(Solution.card))
            .order_by(Solution.id)
        )
    )


def chosen_solutions(course: Course) -> list[Solution]:
    return list(
        db.session.scalars(
            select(Solution)
            .where(Solution.course_id == course.id, Solution.chosen.is_(True))
            .options(selectinload(Solution.card), selectinload(Solution.action))
            .order_by(Solution.chosen_at, Solution.id)
        )
    )
