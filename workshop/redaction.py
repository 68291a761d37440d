"""Redaction reaches every copy of the words: when a citizen's name or CPR number slipped
onto a card, a solution or an answer, the facilitator's redaction replaces the words where
they were written and everywhere they were copied to.

Where a card's words live: the card itself (its text and its author's original), the
cards merged into it (the same challenge, often in the same words; shown with it on its
page and in the feedback to the state), and the experience bank's snapshots of it
(SharedChallenge.card_id). A solution's: the solution, the action chosen from it (its
title started as the solution's words; an edited title is still those words reworded, so
it goes too), the bank's snapshots of it (SharedSolution.solution_id), and the solutions
other courses copied from those snapshots (Solution.copied_from_id), with everything
derived from them in turn. A touchpoint of the citizen's path: the touchpoint, those merged
into it, and the card it became (whose words started as its own); a card's redaction
reaches the touchpoints that became it the same way. Rendered PDFs of every course reached
are deleted in the same transaction (workshop.core.caches). Figures, links, dots and
assessments stay: they name nobody.

What is not reached, and why: texts the facilitator or the group wrote themselves (an
action's plan, a status note, a lesson, the examination and the feedback documents to the
state, the IT vendor and the committee) can be edited on their own pages; files already
downloaded (CSV, JSON, PDF) are out of the app's hands.
"""

from __future__ import annotations

from sqlalchemy import select, update

from workshop.core.caches import forget_rendered
from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    Course,
    DialogueAnswer,
    Share,
    SharedChallenge,
    SharedSolution,
    Solution,
    Touchpoint,
)
from workshop.core.text import redaction_marker
from workshop.courses import touch


def redact_card_everywhere(
    card: Card, *, marker: str | None = None, merged: bool = True
) -> list[Card]:
    """Replace the words of a card and of the cards merged into it, in the course and in
    the bank's snapshots. Returns the cards redacted. The caller commits.

    A participant deleting their own data (workshop.privacy) passes their own `marker` and
    `merged=False`: the cards others wrote that were merged into theirs are not theirs."""
    marker = marker or redaction_marker()
    pile, waiting = [], [card]
    while waiting:  # merge_cards keeps one level, but an old database may hold more
        current = waiting.pop()
        pile.append(current)
        if merged:
            waiting.extend(c for c in current.merged_cards if c not in pile)
    for current in pile:
        current.text = marker
        current.original_text = marker
    ids = [current.id for current in pile]
    # The touchpoints of the citizen's path that became these cards: the same words.
    for touchpoint in db.session.scalars(select(Touchpoint).where(Touchpoint.card_id.in_(ids))):
        touchpoint.text = marker
    db.session.execute(
        update(SharedChallenge).where(SharedChallenge.card_id.in_(ids)).values(text=""),
        execution_options={"synchronize_session": False},
    )
    _empty_untraced_shares(card.course_id)
    touch_and_forget([card.course_id])
    return pile


def redact_touchpoint_everywhere(
    touchpoint: Touchpoint, *, marker: str | None = None, merged: bool = True
) -> None:
    """Replace the words of a touchpoint, of those merged into it (unless `merged` is
    False: a participant deleting their own data) and of the card it became. The caller
    commits."""
    marker = marker or redaction_marker()
    pile = [touchpoint]
    if merged:
        pile += list(touchpoint.merged_touchpoints)
    for current in pile:
        current.text = marker
        current.place = ""  # typed words too (a lane's name): the path shows "Elsewhere"
        if current.card is not None:
            redact_card_everywhere(current.card, marker=marker, merged=merged)
    touch_and_forget([touchpoint.course_id])


def redact_solution_everywhere(solution: Solution, *, marker: str | None = None) -> set[int]:
    """Replace a solution's words in its course, in what was derived from it, in the bank's
    snapshots and in other courses' copies. Returns the ids of the courses reached. The
    caller commits."""
    courses: set[int] = set()
    _redact_solution(solution, marker or redaction_marker(), courses, set(), at_source=False)
    _empty_untraced_shares(solution.course_id)
    touch_and_forget(courses)
    return courses


def redact_answer_everywhere(answer: DialogueAnswer, *, marker: str | None = None) -> None:
    """An answer is copied nowhere: its words go, and the course's rendered PDFs with them."""
    answer.text = marker or redaction_marker()
    touch_and_forget([answer.course_id])


def _redact_solution(
    solution: Solution, marker: str, courses: set[int], seen: set[int], *, at_source: bool
) -> None:
    if solution.id in seen:
        return
    seen.add(solution.id)
    old_words = {solution.text, solution.original_text} - {marker}
    solution.text = marker
    solution.original_text = marker
    if at_source:
        solution.source_redacted = True  # its page says why its words are gone
    if solution.action is not None:
        # The action's title started as the solution's words; edited, it is still them
        # reworded, and nothing can tell which of its words named the citizen.
        solution.action.title = marker
    courses.add(solution.course_id)
    db.session.execute(
        update(SharedSolution).where(SharedSolution.solution_id == solution.id).values(text=""),
        execution_options={"synchronize_session": False},
    )
    copies = select(Solution).where(Solution.copied_from_id == solution.id)
    if old_words:
        # Copies made before copies named their source: the same words, from the bank.
        copies = select(Solution).where(
            (Solution.copied_from_id == solution.id)
            | (
                Solution.copied_from_id.is_(None)
                & (Solution.source != "")
                & (Solution.course_id != solution.course_id)
                & Solution.text.in_(old_words)
            )
        )
    for copy in db.session.scalars(copies).all():
        _redact_solution(copy, marker, courses, seen, at_source=True)


def _empty_untraced_shares(course_id: int) -> None:
    """Snapshots shared before they named their source, whose words could not be traced
    (edited on the review page): any of them may hold the redacted words, so the words of
    all of them go. Their figures stay."""
    shares = select(Share.id).where(Share.course_id == course_id)
    challenges = select(SharedChallenge.id).where(SharedChallenge.share_id.in_(shares))
    options = {"synchronize_session": False}
    db.session.execute(
        update(SharedChallenge)
        .where(
            SharedChallenge.share_id.in_(shares),
            SharedChallenge.card_id.is_(None),
            SharedChallenge.text != "",
        )
        .values(text=""),
        execution_options=options,
    )
    db.session.execute(
        update(SharedSolution)
        .where(
            SharedSolution.challenge_id.in_(challenges),
            SharedSolution.solution_id.is_(None),
            SharedSolution.text != "",
        )
        .values(text=""),
        execution_options=options,
    )


def touch_and_forget(course_ids) -> None:
    """Every course reached shows the change at once (phones, projector, a worker's drawn
    voting list: workshop.web.fragments sees the new revision) and loses its rendered PDFs."""
    course_ids = sorted(set(course_ids))  # one order of row locks, whoever redacts
    for course_id in course_ids:
        course = db.session.get(Course, course_id)
        if course is not None:
            touch(course)
    db.session.flush()
    forget_rendered(course_ids)
