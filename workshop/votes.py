"""Dot voting: a budget per participant, hidden until the facilitator reveals the result."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from .courses import touch
from .errors import WorkshopError
from .extensions import db
from .models import Card, Course, Participant, Vote
from .vocabulary import ROLE_GROUPS, role_group

VOTE_STEP = 2


def cast_vote(participant: Participant, card: Card, dots: int) -> int:
    """Put exactly `dots` of the participant's dots on the card; returns the dots left.

    Setting a number (rather than adding one) makes a double tap harmless: the second
    request asks for the same state as the first.
    """
    course = participant.course
    if course.current_step != VOTE_STEP or course.voting_state != "voting":
        raise WorkshopError(_("Voting is not open."), code="closed")
    if card.course_id != course.id or card.hidden or card.merged_into_id is not None:
        raise WorkshopError(_("That card cannot be voted on."), code="card")
    if dots < 0:
        raise WorkshopError(_("You cannot take back more dots than you gave."), code="negative")
    if dots > 1 and not course.multiple_dots_per_card:
        raise WorkshopError(_("Only one dot per card in this course."), code="one_per_card")

    # Serialise this participant's votes: a row lock on PostgreSQL; on SQLite the
    # transaction already holds the write lock (BEGIN IMMEDIATE, see workshop.db).
    db.session.execute(
        select(Participant.id).where(Participant.id == participant.id).with_for_update()
    )
    on_other_cards = db.session.scalar(
        select(func.coalesce(func.sum(Vote.dots), 0)).where(
            Vote.participant_id == participant.id, Vote.card_id != card.id
        )
    )
    if on_other_cards + dots > course.dot_budget:
        raise WorkshopError(
            _("You have used all %(budget)s dots. Take one back first.", budget=course.dot_budget),
            code="budget",
        )
    vote = db.session.scalar(
        select(Vote).where(Vote.participant_id == participant.id, Vote.card_id == card.id)
    )
    if dots == 0:
        if vote is not None:
            db.session.delete(vote)
    elif vote is None:
        db.session.add(
            Vote(course_id=course.id, participant_id=participant.id, card_id=card.id, dots=dots)
        )
    else:
        vote.dots = dots
    touch(course)
    db.session.commit()
    return course.dot_budget - on_other_cards - dots


def my_dots(participant: Participant) -> dict[int, int]:
    """Card id -> the dots this participant put there (the only votes a phone may see)."""
    rows = db.session.execute(
        select(Vote.card_id, Vote.dots).where(Vote.participant_id == participant.id)
    ).all()
    return dict(rows)


def dots_left(participant: Participant) -> int:
    used = db.session.scalar(
        select(func.coalesce(func.sum(Vote.dots), 0)).where(Vote.participant_id == participant.id)
    )
    return participant.course.dot_budget - used


def clear_votes(course: Course) -> None:
    """Start the vote over: every dot goes back to its owner."""
    db.session.execute(delete(Vote).where(Vote.course_id == course.id))
    touch(course)
    db.session.commit()


@dataclass(frozen=True)
class VotingProgress:
    voters: int
    dots_cast: int
    participants: int
    dots_possible: int


def voting_progress(course: Course) -> VotingProgress:
    """How far the vote has come, without saying where any dot went."""
    voters, dots = db.session.execute(
        select(
            func.count(func.distinct(Vote.participant_id)), func.coalesce(func.sum(Vote.dots), 0)
        ).where(Vote.course_id == course.id)
    ).one()
    participants = db.session.scalar(
        select(func.count()).select_from(Participant).where(Participant.course_id == course.id)
    )
    return VotingProgress(voters, dots, participants, participants * course.dot_budget)


@dataclass
class GroupSummary:
    key: str
    label: str
    voters: int
    shown: bool


@dataclass
class ResultRow:
    card: Card
    total: int
    by_group: dict[str, int] = field(default_factory=dict)


@dataclass
class Results:
    rows: list[ResultRow]
    groups: list[GroupSummary]
    min_group_size: int

    @property
    def max_total(self) -> int:
        return max((row.total for row in self.rows), default=0)

    def group_max(self, key: str) -> int:
        return max((row.by_group.get(key, 0) for row in self.rows), default=0)


def results(course: Course) -> Results | None:
    """The ranked result, staff and managers side by side; None until it is revealed.

    Hidden means hidden on the server: no view can show counts before the reveal.
    A group's figures are held back when fewer than `min_group_size` of it voted, so a
    split by role cannot expose how one or two people voted.
    """
    if course.voting_state != "revealed":
        return None
    rows = db.session.execute(
        select(Vote.card_id, Participant.role, Vote.participant_id, Vote.dots)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.course_id == course.id)
    ).all()
    totals: dict[int, int] = {}
    by_group: dict[int, dict[str, int]] = {}
    voters: dict[str, set[int]] = {key: set() for key in ROLE_GROUPS}
    for card_id, role, participant_id, dots in rows:
        group = role_group(role)
        totals[card_id] = totals.get(card_id, 0) + dots
        by_group.setdefault(card_id, {}).setdefault(group, 0)
        by_group[card_id][group] += dots
        voters[group].add(participant_id)
    groups = [
        GroupSummary(key, str(label), len(voters[key]), len(voters[key]) >= course.min_group_size)
        for key, label in ROLE_GROUPS.items()
    ]
    # With the total beside it, one shown group gives the held-back one away by subtraction:
    # split by role only when every group that voted is big enough.
    if not all(g.shown or g.voters == 0 for g in groups):
        for group in groups:
            group.shown = False
    shown = {g.key for g in groups if g.shown}
    cards = db.session.scalars(
        select(Card)
        .where(Card.course_id == course.id, Card.hidden.is_(False), Card.merged_into_id.is_(None))
        .options(selectinload(Card.merged_cards))  # the template counts them per row
    ).all()
    ranked = [
        ResultRow(
            card,
            totals.get(card.id, 0),
            {k: v for k, v in by_group.get(card.id, {}).items() if k in shown},
        )
        for card in cards
    ]
    ranked.sort(key=lambda row: (-row.total, row.card.id))
    return Results(ranked, groups, course.min_group_size)
