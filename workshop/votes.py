"""Dot voting: a budget per participant, hidden until the facilitator reveals the result.

One mechanism serves both votes of the method: on the challenges (cards, step 2) and on
the solutions (step 3). A `Ballot` says what is voted on and where its phase is kept.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, delete, func, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, ClearedVotes, Course, Participant, Solution, Vote
from workshop.core.vocabulary import ROLE_GROUPS
from workshop.courses import touch
from workshop.splits import (
    POOLED,
    crossing_is_safe,
    effective_split,
    group_key,
    group_labels,
    hold_back,
)

VOTING_STATES = ("collect", "voting", "closed", "revealed")


@dataclass(frozen=True)
class Ballot:
    """What one vote is about: which step, which items, which column of `Vote`."""

    name: str
    step: int
    model: type
    vote_column: str  # "card_id" or "solution_id"
    state_field: str  # the Course attribute that holds the phase

    def state(self, course: Course) -> str:
        return getattr(course, self.state_field)

    @property
    def column(self):
        return getattr(Vote, self.vote_column)

    def is_votable(self, item: Any) -> bool:
        if self.model is Card:
            return not item.hidden and item.merged_into_id is None
        return not item.hidden

    def votable(self, course: Course):
        """A query for the items that can take dots: the ones on the wall."""
        query = select(self.model).where(
            self.model.course_id == course.id, self.model.hidden.is_(False)
        )
        if self.model is Card:
            query = query.where(Card.merged_into_id.is_(None)).options(
                selectinload(Card.merged_cards)  # the result counts them per row
            )
        return query


CARDS = Ballot("cards", 2, Card, "card_id", "voting_state")
SOLUTIONS = Ballot("solutions", 3, Solution, "solution_id", "solution_voting_state")


def ballot_of(item: Card | Solution) -> Ballot:
    return CARDS if isinstance(item, Card) else SOLUTIONS


def _votes_in(ballot: Ballot):
    return ballot.column.is_not(None)


# Which voting states each facilitator action may start from.
_VOTING_TRANSITIONS = {
    "voting": {"collect", "closed", "revealed"},  # open (or reopen) voting
    "closed": {"voting"},  # stop voting, results still hidden
    "revealed": {"voting", "closed"},  # show the results
    "collect": {"voting", "closed", "revealed"},  # back to collecting
}


def set_voting_state(course: Course, state: str, ballot: Ballot = CARDS) -> Course:
    if state not in VOTING_STATES:
        raise WorkshopError(_("Unknown voting state."))
    current = ballot.state(course)
    if current == state:
        return course  # a double click: nothing to do
    if current not in _VOTING_TRANSITIONS[state]:
        raise WorkshopError(_("That cannot be done in this phase of the vote."))
    setattr(course, ballot.state_field, state)
    forget_expired_restarts()
    if state == "revealed":  # a revealed result is not taken back to an earlier vote
        db.session.execute(delete(ClearedVotes).where(*_cleared(course, ballot)))
    touch(course)
    db.session.commit()
    return course


@dataclass(frozen=True)
class VoteOutcome:
    """What a phone's reply needs after a vote: the participant's dots left, and their own
    revision after it (the phone's next poll can then be a 304, see workshop.web.voting)."""

    dots_left: int
    revision: int


def cast_vote(participant: Participant, item: Card | Solution, dots: int) -> VoteOutcome:
    """Put exactly `dots` of the participant's dots on the item.

    Setting a number (rather than adding one) makes a double tap harmless: the second
    request asks for the same state as the first.

    When the vote opens, hundreds of phones tap within seconds, so the common case takes two
    statements (`_vote_in_two_statements`): the phase checked and the voter's row locked in
    one, the dot stored with the budget checked inside the other. Anything that statement
    does not store (over the budget, a hidden card, voting closed, a take-back of a dot that
    isn't there) is decided again by `_explained_vote`, which says why it is refused.
    """
    course = participant.course
    # More dots than the budget can't be stored: the step-by-step path says why (and no
    # number beyond the database's integers reaches a statement).
    if 0 <= dots <= course.dot_budget and (dots <= 1 or course.multiple_dots_per_card):
        outcome = _vote_in_two_statements(participant, item, dots)
        if outcome is not None:
            db.session.commit()
            return outcome
    return _explained_vote(participant, item, dots)


def _vote_in_two_statements(
    participant: Participant, item: Card | Solution, dots: int
) -> VoteOutcome | None:
    """The vote as two SQL statements, or None when they did not store it.

    1. The voter's revision goes up, but only while their course is in this ballot's vote:
       on PostgreSQL the course row is held FOR SHARE (closing the vote waits for this
       transaction, other phones' votes don't) and the voter's row is locked, so their
       taps run one at a time. On SQLite the transaction holds the write lock already.
    2. The dots are set (inserted, updated or deleted) only if the item is on the wall and,
       counting what the voter has on other items, the budget holds. A new statement sees
       what the voter's previous tap committed while this one waited for the lock (READ
       COMMITTED takes a snapshot per statement), so the budget holds under concurrency.
    """
    ballot = ballot_of(item)
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    lock, set_dots, take_dots = _vote_statements(ballot, postgresql)
    connection = db.session.connection()
    values = {"course": participant.course_id, "voter": participant.id, "item": item.id}
    values["dots"] = dots
    revision = connection.execute(lock, values).scalar()
    if revision is None:
        db.session.rollback()
        return None
    left = connection.execute(take_dots if dots == 0 else set_dots, values).scalar()
    if left is None:
        db.session.rollback()
        return None
    return VoteOutcome(dots_left=left, revision=revision)


@functools.cache
def _vote_statements(ballot: Ballot, postgresql: bool):
    """The statements of `_vote_in_two_statements`, built once per ballot and database
    (building them costs more than running them): locking the voter, setting their dots
    on an item, taking them off. Parameters: course, voter, item (and dots)."""
    courses, people, votes = Course.__table__, Participant.__table__, Vote.__table__
    course, voter, item = bindparam("course"), bindparam("voter"), bindparam("item")
    dots = bindparam("dots", type_=Integer)
    # The course's rules as they are now, not as the request loaded them: the facilitator
    # may have just switched to one dot per card (update_course waits for this lock).
    in_vote = select(courses.c.id).where(
        courses.c.id == course,
        courses.c.current_step == ballot.step,
        courses.c[ballot.state_field] == "voting",
        or_(courses.c.multiple_dots_per_card.is_(True), dots <= 1),
    )
    if postgresql:
        in_vote = in_vote.with_for_update(read=True)
    locked = in_vote.cte("in_vote")
    lock = (
        update(people)
        .where(people.c.id == voter, people.c.course_id.in_(select(locked.c.id)))
        .values(revision=people.c.revision + 1)
        .returning(people.c.revision)
    )
    column = votes.c[ballot.vote_column]
    items = ballot.model.__table__
    on_wall = select(items.c.id).where(
        items.c.id == item, items.c.course_id == course, items.c.hidden.is_(False)
    )
    if ballot.model is Card:
        on_wall = on_wall.where(items.c.merged_into_id.is_(None))
    # The voter's dots on the other items: the statement changes only this item's row, so
    # RETURNING gives the dots left after it on either database.
    elsewhere = (
        select(func.coalesce(func.sum(votes.c.dots), 0))
        .where(votes.c.participant_id == voter, column.is_not(None), column != item)
        .scalar_subquery()
    )
    budget = select(courses.c.dot_budget).where(courses.c.id == course).scalar_subquery()
    take_dots = (
        delete(votes)
        .where(votes.c.participant_id == voter, column == item, on_wall.exists())
        .returning(budget - elsewhere)
    )
    insert = (postgresql_insert if postgresql else sqlite_insert)(votes)
    wanted = select(course, voter, item, dots).where(on_wall.exists(), elsewhere + dots <= budget)
    set_dots = (
        insert.from_select(["course_id", "participant_id", ballot.vote_column, "dots"], wanted)
        .on_conflict_do_update(
            index_elements=[votes.c.participant_id, column], set_={"dots": insert.excluded.dots}
        )
        .returning(budget - elsewhere - dots)
    )
    return lock, set_dots, take_dots


def _explained_vote(participant: Participant, item: Card | Solution, dots: int) -> VoteOutcome:
    """The vote decided step by step, refused with the reason (or stored, when nothing was
    wrong after all: a take-back of a dot that a double tap took back already)."""
    ballot = ballot_of(item)
    # See the phase and the item as they are now, and keep the phase so until the vote is
    # stored: a shared lock on the course row (PostgreSQL, READ COMMITTED), which closing
    # the vote waits for but other phones' votes don't. This participant's votes run one
    # at a time (their row, locked for update), so the budget holds. On SQLite the
    # transaction already holds the write lock (BEGIN IMMEDIATE, see workshop.core.db).
    course = lock_row(participant.course, shared=True)
    participant = lock_row(participant)
    db.session.refresh(item)
    if course.current_step != ballot.step or ballot.state(course) != "voting":
        raise WorkshopError(_("Voting is not open."), code="closed")
    if item.course_id != course.id or not ballot.is_votable(item):
        raise WorkshopError(_("That cannot be voted on."), code="item")
    if dots < 0:
        raise WorkshopError(_("You cannot take back more dots than you gave."), code="negative")
    if dots > 1 and not course.multiple_dots_per_card:
        raise WorkshopError(
            _("Only one dot per card or solution in this course."), code="one_per_item"
        )

    # The participant's dots in this vote (at most the budget's worth of rows), in one go,
    # as they are now (workshop.core.db.writing keeps what the request loaded before).
    votes = db.session.scalars(
        select(Vote)
        .where(Vote.participant_id == participant.id, _votes_in(ballot))
        .execution_options(populate_existing=True)
    ).all()
    vote = next((v for v in votes if getattr(v, ballot.vote_column) == item.id), None)
    on_other_items = sum(v.dots for v in votes if v is not vote)
    if on_other_items + dots > course.dot_budget:
        raise WorkshopError(
            _("You have used all %(budget)s dots. Take one back first.", budget=course.dot_budget),
            code="budget",
        )
    left = course.dot_budget - on_other_items - dots
    if dots == 0:
        if vote is not None:
            db.session.delete(vote)
    elif vote is None:
        vote = Vote(course_id=course.id, participant_id=participant.id, dots=dots)
        setattr(vote, ballot.vote_column, item.id)
        db.session.add(vote)
    else:
        vote.dots = dots
    # The course row stays as it is (see the lock above): the projector's poll notices the
    # vote through vote_mark. The voter's reply shows their dots, and their next poll draws
    # them afresh (their own revision), whatever became of the reply.
    participant.revision = Participant.revision + 1
    db.session.flush()
    db.session.refresh(participant, ["revision"])
    outcome = VoteOutcome(dots_left=left, revision=participant.revision)
    db.session.commit()
    return outcome


def vote_mark(course: Course) -> str:
    """What the projector and the control panel show of votes in progress (voters and dots
    per vote), for their polls' ETags: a vote changes no course row (see cast_vote)."""
    rows = db.session.execute(
        select(
            Vote.card_id.is_(None),
            func.count(func.distinct(Vote.participant_id)),
            func.coalesce(func.sum(Vote.dots), 0),
        )
        .where(Vote.course_id == course.id)
        .group_by(Vote.card_id.is_(None))
    ).all()
    return "/".join(f"{int(solutions)}:{voters}:{dots}" for solutions, voters, dots in sorted(rows))


def my_dots(participant: Participant, ballot: Ballot = CARDS) -> dict[int, int]:
    """Item id -> the dots this participant put there (the only votes a phone may see)."""
    rows = db.session.execute(
        select(ballot.column, Vote.dots).where(
            Vote.participant_id == participant.id, _votes_in(ballot)
        )
    ).all()
    return dict(rows)


def items_with_ids(model: type, ids: list[int]) -> list[Card | Solution]:
    """The cards (or solutions) with these ids, in one query (a phone's own on its list)."""
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def my_dots_and_left(
    participant: Participant, ballot: Ballot = CARDS
) -> tuple[dict[int, int], int]:
    """my_dots and dots_left from one query: what every phone's voting list needs."""
    mine = my_dots(participant, ballot)
    return mine, participant.course.dot_budget - sum(mine.values())


def dots_left(participant: Participant, ballot: Ballot = CARDS) -> int:
    used = db.session.scalar(
        select(func.coalesce(func.sum(Vote.dots), 0)).where(
            Vote.participant_id == participant.id, _votes_in(ballot)
        )
    )
    return participant.course.dot_budget - used


UNDO_SECONDS = 60  # how long a restarted vote can be brought back


def forget_expired_restarts(now: datetime | None = None) -> None:
    """Drop every restarted vote older than UNDO_SECONDS, in any course: who gave which
    dots is kept for the undo only, not until somebody happens to press it too late.
    (Called when a vote is started over, brought back or moves phase, and by the purge.)"""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=UNDO_SECONDS)
    db.session.execute(delete(ClearedVotes).where(ClearedVotes.cleared_at < cutoff))


def clear_votes(course: Course, ballot: Ballot = CARDS) -> None:
    """Start the vote over: every dot goes back to its owner. The dots are kept aside for
    UNDO_SECONDS, so one click too many can be taken back (restore_votes)."""
    lock_row(course)  # no vote slips in between (see cast_vote)
    mine = (Vote.course_id == course.id, _votes_in(ballot))
    rows = db.session.execute(select(Vote.participant_id, ballot.column, Vote.dots).where(*mine))
    kept = [list(row) for row in rows]
    forget_expired_restarts()
    db.session.execute(delete(ClearedVotes).where(*_cleared(course, ballot)))
    if kept:
        db.session.add(
            ClearedVotes(course_id=course.id, ballot=ballot.name, votes=json.dumps(kept))
        )
    db.session.execute(delete(Vote).where(*mine))
    touch(course)
    db.session.commit()


def _cleared(course: Course, ballot: Ballot):
    return ClearedVotes.course_id == course.id, ClearedVotes.ballot == ballot.name


def restore_votes(course: Course, ballot: Ballot = CARDS) -> int:
    """Take back a restart made less than a minute ago: every dot returns to where it lay.
    Refused once the minute has passed or anyone has voted since. Returns the dots restored."""
    lock_row(course)
    kept = db.session.scalar(select(ClearedVotes).where(*_cleared(course, ballot)))
    cleared_at = kept.cleared_at if kept is not None else None
    if cleared_at is not None and cleared_at.tzinfo is None:  # SQLite hands back naive UTC
        cleared_at = cleared_at.replace(tzinfo=UTC)
    if kept is None or datetime.now(UTC) - cleared_at > timedelta(seconds=UNDO_SECONDS):
        if kept is not None:  # who voted for what is not kept a moment longer than needed
            db.session.delete(kept)
            db.session.commit()
        raise WorkshopError(
            _("The dots can no longer be brought back: more than a minute has passed."),
            code="too_late",
        )
    mine = (Vote.course_id == course.id, _votes_in(ballot))
    if db.session.scalar(select(func.count()).select_from(Vote).where(*mine)):
        raise WorkshopError(
            _("Dots were given after the restart, so the old ones cannot come back."),
            code="voted_since",
        )
    rows = json.loads(kept.votes)
    # Only people and items still in the course (one may have been deleted meanwhile).
    people = set(
        db.session.scalars(select(Participant.id).where(Participant.course_id == course.id))
    )
    # Only items that can still take dots: a card merged or hidden since the restart would
    # hold dots that count nowhere and that their owner could not take back.
    items = {item.id for item in db.session.scalars(ballot.votable(course))}
    restored = 0
    for participant_id, item_id, dots in rows:
        if participant_id in people and item_id in items:
            db.session.add(
                Vote(
                    course_id=course.id,
                    participant_id=participant_id,
                    dots=dots,
                    **{ballot.vote_column: item_id},
                )
            )
            restored += dots
    db.session.delete(kept)
    touch(course)
    db.session.commit()
    return restored


@dataclass(frozen=True)
class VotingProgress:
    voters: int
    dots_cast: int
    participants: int
    dots_possible: int


def voting_progress(course: Course, ballot: Ballot = CARDS) -> VotingProgress:
    """How far the vote has come, without saying where any dot went."""
    voters, dots = db.session.execute(
        select(
            func.count(func.distinct(Vote.participant_id)), func.coalesce(func.sum(Vote.dots), 0)
        ).where(Vote.course_id == course.id, _votes_in(ballot))
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
    item: Any  # a Card or a Solution
    total: int
    by_group: dict[str, int] = field(default_factory=dict)

    @property
    def card(self) -> Card:
        """The challenge the row is about: the card itself, or the solution's card."""
        return self.item if isinstance(self.item, Card) else self.item.card


@dataclass
class Results:
    rows: list[ResultRow]
    groups: list[GroupSummary]
    min_group_size: int
    split: str = "role"  # workshop.splits: "none", "role" or "department"
    # The groups below the minimum counted together (workshop.splits.hold_back), or None.
    pooled: GroupSummary | None = None
    # Held back because beside the other split it would single people out (crossing_is_safe).
    crossed: bool = False

    @property
    def columns(self) -> list[GroupSummary]:
        """The groups whose dots are shown beside the total: each shown group, and the
        pooled one last."""
        shown = [g for g in self.groups if g.shown]
        return shown + [self.pooled] if self.pooled else shown

    @property
    def small_groups(self) -> list[GroupSummary]:
        """The groups that voted but too few to be shown on their own."""
        return [g for g in self.groups if 0 < g.voters < self.min_group_size]

    @property
    def held_back_note(self) -> str:
        """Why (part of) the split is not shown, or "" (see `split_held_back_note`)."""
        if self.crossed:
            return crossed_note(self.split, self.min_group_size)
        return split_held_back_note(self.small_groups, self.min_group_size, self.split, self.pooled)

    @property
    def max_total(self) -> int:
        return max((row.total for row in self.rows), default=0)

    def group_max(self, key: str) -> int:
        return max((row.by_group.get(key, 0) for row in self.rows), default=0)

    def origin_dots(self) -> dict[str, dict[str, int]]:
        """Step 2's origin overview by the same split: the shown groups' (and the pooled
        group's) dots per origin of the cards. Sums of the rows' figures, so a group held
        back there is held back here too."""
        dots: dict[str, dict[str, int]] = {}
        for row in self.rows:
            per_group = dots.setdefault(row.card.origin, {})
            for key, value in row.by_group.items():
                per_group[key] = per_group.get(key, 0) + value
        return dots

    def origin_max(self) -> int:
        return max(
            (v for groups in self.origin_dots().values() for v in groups.values()), default=0
        )


def split_held_back_note(
    small: list[GroupSummary],
    minimum: int,
    split: str = "role",
    pooled: GroupSummary | None = None,
) -> str:
    """The one wording, on every screen and in the PDF, for a split held back: which group
    was too small, and why that hides it (the rest would give it away)."""
    if not small:
        return ""
    reasons = "; ".join(
        _(
            "among %(group)s only %(num)s voted",
            # Roles read in lower case mid-sentence; a department keeps its name.
            group=group.label.lower() if group.key in ROLE_GROUPS else group.label,
            num=group.voters,
        )
        for group in small
    )
    if pooled is not None:
        return _(
            "Some groups are counted together: %(reasons)s, and at least %(min)s must vote in "
            "a group before it is shown on its own. Left out, their dots could be worked out "
            "from the total, so they are shown together as \u201c%(pool)s\u201d.",
            reasons=reasons,
            min=minimum,
            pool=pooled.label,
        )
    if split == "department":
        return _(
            "The split by department is not shown: %(reasons)s, and at least %(min)s must "
            "vote in each department before nobody can work out one person's dots. "
            "Everyone's dots are in the total.",
            reasons=reasons,
            min=minimum,
        )
    return _(
        "The split by role is not shown: %(reasons)s, and at least %(min)s must vote in "
        "each role before nobody can work out one person's dots. Everyone's dots are in "
        "the total.",
        reasons=reasons,
        min=minimum,
    )


def crossed_note(split: str, minimum: int) -> str:
    """Why a split is held back in a course across departments although each group is big
    enough: beside the other split, a difference would single out a few."""
    other = _("the split by role") if split == "department" else _("the split by department")
    return _(
        "The split is not shown: set beside %(other)s, the difference between a department "
        "and a role group would point at fewer than %(min)s people. Everyone's dots are in "
        "the total.",
        other=other,
        min=minimum,
    )


def role_groups_below_minimum(course: Course) -> list[GroupSummary]:
    """Groups of the course's split (roles or departments, `splits.effective_split`) that
    have joined, but fewer than the course's minimum: if the vote were held now, they could
    not be shown on their own (`voters` here counts who joined)."""
    split = effective_split(course)
    labels = group_labels(course, split)
    counts: dict[str, int] = {}
    for role, department_id in db.session.execute(
        select(Participant.role, Participant.department_id).where(
            Participant.course_id == course.id
        )
    ):
        key = group_key(split, role, department_id)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return [
        GroupSummary(key, labels.get(key, key), counts[key], False)
        for key in labels
        if 0 < counts.get(key, 0) < course.min_group_size
    ]


def results(course: Course, ballot: Ballot = CARDS, split: str | None = None) -> Results | None:
    """The ranked result, split by the course's choice (or `split`); None until revealed.

    Hidden means hidden on the server: no view can show counts before the reveal.
    A group with fewer voters than `min_group_size` is never shown on its own nor left to
    be worked out by subtraction (`splits.hold_back`: counted with others, or the whole
    split held back), so a split cannot expose how one or two people voted.
    """
    if ballot.state(course) != "revealed":
        return None
    split = split or effective_split(course)
    rows = _ballot_votes(course, ballot)
    labels = group_labels(course, split)
    totals, by_group, voters, both = _tally(rows, split)
    order = [key for key in labels if key in voters] + [k for k in voters if k not in labels]
    counts = {key: len(voters[key]) for key in order}
    shown, pooled = hold_back(counts, course.min_group_size, pool=split == "department")
    # The room may see the result by role and by department in turn (splits module's notes).
    crossed = bool(shown) and not crossing_is_safe(both, course.min_group_size)
    if crossed:
        shown, pooled = [], []
    groups = [
        GroupSummary(key, labels.get(key, _("Another department")), counts[key], key in shown)
        for key in order
    ]
    pool = _pool_summary(groups, pooled, counts)
    ranked = _ranked(course, ballot, totals, by_group, shown, pooled)
    return Results(ranked, groups, course.min_group_size, split, pool, crossed)


def _ballot_votes(course: Course, ballot: Ballot) -> list:
    """Every vote of the ballot: (item id, role, department id, participant id, dots).

    A course not (or no longer) across departments has no department split: the
    departments phones picked while it was would otherwise still divide its dots."""
    department = Participant.department_id if course.across_departments else null()
    return db.session.execute(
        select(ballot.column, Participant.role, department, Vote.participant_id, Vote.dots)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.course_id == course.id, _votes_in(ballot))
    ).all()


def _tally(rows: list, split: str):
    """Dots per item, in total and per group of `split`; who voted in each group; and
    each voter's role group and department group (for `crossing_is_safe`)."""
    totals: dict[int, int] = {}
    by_group: dict[int, dict[str, int]] = {}
    voters: dict[str, set[int]] = {key: set() for key in ROLE_GROUPS} if split == "role" else {}
    both: dict[int, tuple[str, str]] = {}  # each voter's role group and department group
    for item_id, role, department_id, participant_id, dots in rows:
        totals[item_id] = totals.get(item_id, 0) + dots
        both[participant_id] = (
            group_key("role", role, department_id),
            group_key("department", role, department_id),
        )
        group = group_key(split, role, department_id)
        if group is None:
            continue
        by_group.setdefault(item_id, {}).setdefault(group, 0)
        by_group[item_id][group] += dots
        voters.setdefault(group, set()).add(participant_id)
    return totals, by_group, voters, both


def _pool_summary(groups: list[GroupSummary], pooled: list, counts: dict) -> GroupSummary | None:
    """The groups counted together as one, or None where none had to be."""
    if not pooled:
        return None
    names = ", ".join(g.label for g in groups if g.key in pooled)
    return GroupSummary(
        POOLED, _("%(groups)s together", groups=names), sum(counts[k] for k in pooled), True
    )


def _ranked(course: Course, ballot: Ballot, totals, by_group, shown, pooled) -> list[ResultRow]:
    """Every item of the ballot with its dots, the shown groups' and the pool's, most first."""
    items = db.session.scalars(ballot.votable(course)).all()
    ranked = []
    for item in items:
        dots = by_group.get(item.id, {})
        row = ResultRow(item, totals.get(item.id, 0), {k: v for k, v in dots.items() if k in shown})
        if pooled:
            row.by_group[POOLED] = sum(dots.get(k, 0) for k in pooled)
        ranked.append(row)
    ranked.sort(key=lambda row: (-row.total, row.item.id))
    return ranked
