"""'Det der bøvler' cards: submitting, moderating and merging them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    CardDepartment,
    CardRequirement,
    Course,
    Participant,
    Solution,
    Vote,
)
from workshop.core.text import clean_text
from workshop.core.vocabulary import CARD_CATEGORIES, CARD_MAX_LENGTH, StepNumber
from workshop.courses import touch
from workshop.redaction import redact_card_everywhere
from workshop.submissions import already_submitted, save_once


def check_category(category: str) -> str:
    category = category or ""
    if category and category not in CARD_CATEGORIES:
        raise WorkshopError(_("Unknown category."), code="category")
    return category


def submit_card(
    participant: Participant,
    text: str,
    category: str = "",
    *,
    client_token: str,
    allow_cpr_like: bool = False,
) -> Card:
    """Add a card; a resubmitted form (same token) returns the card it already made."""
    # Phones don't refresh for a new card (see save_once), so the vote must not open between
    # the check below and the commit, or the card would miss the phones' voting lists. (The
    # commit updates the course row anyway: taking its lock first costs nothing.) Under the
    # lock, a double tap's second request finds the first one's card by its token, instead
    # of being refused as a duplicate text.
    course = lock_row(participant.course)
    existing = already_submitted(Card, participant.id, client_token)
    if existing is not None:
        return existing
    if course.current_step != StepNumber.CHALLENGES or course.voting_state != "collect":
        raise WorkshopError(_("New cards are not being collected right now."), code="closed")
    text = clean_text(text, max_length=CARD_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    category = check_category(category)
    # Compared in Python: SQLite's lower() folds only ASCII, not Æ, Ø and Å.
    written = db.session.scalars(select(Card.text).where(Card.participant_id == participant.id))
    if any(existing.casefold() == text.casefold() for existing in written):
        raise WorkshopError(_("You have already written that card."), code="duplicate")
    card = Card(
        course=course,
        participant_id=participant.id,
        text=text,
        original_text=text,
        category=category,
        client_token=client_token,
    )
    # While cards are collected a phone shows only its own: the reply brings it the new one,
    # and the author's next poll too (their revision), should the reply be lost.
    participant.revision = Participant.revision + 1
    return save_once(card, course, phones_see_it=False)


def edit_card(card: Card, text: str, category: str = "") -> Card:
    """The facilitator rewords a card; the author's own words stay in original_text."""
    text = clean_text(text, max_length=CARD_MAX_LENGTH, allow_cpr_like=True)
    card.category = check_category(category)  # checked before anything is assigned
    card.text = text
    touch(card.course)
    db.session.commit()
    return card


def redact_card(card: Card) -> Card:
    """Replace what a card says, and what its author first wrote, with a marker: for a
    citizen's name or CPR number that slipped in. The cards merged into it and the
    experience bank's snapshots of it lose the words too (workshop.redaction). The card
    keeps its place, its dots, its links and its examination; the old words are not kept
    or logged anywhere."""
    redact_card_everywhere(card)
    db.session.commit()
    return card


def _has_solutions(card_ids: list[int]) -> bool:
    return (
        db.session.scalar(select(Solution.id).where(Solution.card_id.in_(card_ids)).limit(1))
        is not None
    )


def set_card_hidden(card: Card, hidden: bool) -> Card:
    """Hide a card from the wall (or show it again); dots on a hidden card go back."""
    if hidden and _has_solutions([card.id]):
        # Its solutions and actions would vanish from step 6's status of everything.
        raise WorkshopError(
            _(
                "This challenge has solutions, so it stays visible. Mark it as later or "
                "outside the frame instead."
            ),
            code="solutions",
        )
    lock_row(card.course)  # before the votes, in the order cast_vote takes them
    card.hidden = hidden
    if hidden:
        # Otherwise they stay spent on a card nobody can see or take them back from.
        db.session.execute(delete(Vote).where(Vote.card_id == card.id))
    touch(card.course)
    db.session.commit()
    return card


def merge_cards(target: Card, sources: list[Card]) -> Card:
    """Fold duplicates into one card; the merged cards keep their texts and authors."""
    course = target.course
    if course.voting_state != "collect":
        raise WorkshopError(_("Merge cards before voting opens."), code="voting")
    while target.merged_into is not None:
        target = target.merged_into
    if target.hidden:
        raise WorkshopError(_("Cards cannot be merged into a hidden card."), code="hidden")
    source_ids = [s.id for s in sources]
    if _has_solutions(source_ids):
        raise WorkshopError(
            _("A challenge with solutions cannot be merged into another."), code="solutions"
        )
    if db.session.scalar(
        select(func.count()).select_from(Vote).where(Vote.card_id.in_(source_ids))
    ):
        raise WorkshopError(
            _("Cards that have dots cannot be merged. Start the vote over first."), code="votes"
        )
    for source in sources:
        if source.course_id != target.course_id:
            raise WorkshopError(_("Cards from another course cannot be merged."))
        if source.id == target.id:
            continue
        for child in list(source.merged_cards):
            child.merged_into = target
        source.merged_into = target
        _add_departments(target, source)
    touch(course)
    db.session.commit()
    return target


def _add_departments(target: Card, source: Card) -> None:
    """The merged card keeps the union of the departments both involve. Whose rule it is
    stays the target's own examination; separating the cards again leaves the target's
    departments as they are (the facilitator may have confirmed them since)."""
    have = {link.department_id for link in target.department_links}
    for link in source.department_links:
        if link.department_id not in have:
            target.department_links.append(CardDepartment(department_id=link.department_id))
            have.add(link.department_id)


def merge_card_into(card: Card, target: Card | None) -> Card:
    """Merge one card into the card the facilitator chose (`target`, None when none was)."""
    if target is None or target.id == card.id:
        # No silent default: the facilitator picks the card on the wall.
        raise WorkshopError(_("Choose the card to merge into."), code="target")
    return merge_cards(target, [card])


def unmerge_card(card: Card) -> Card:
    if card.course.voting_state != "collect":
        raise WorkshopError(_("Merge cards before voting opens."), code="voting")
    card.merged_into = None
    touch(card.course)
    db.session.commit()
    return card


def wall_cards(
    course: Course, *, include_hidden: bool = False, details: bool = False
) -> list[Card]:
    """The cards on the wall, newest first, with the cards merged into each.

    `details` also loads authors and linked requirements, which only the control panel
    shows; the phones' and the projector's polls skip those queries.
    """
    query = (
        select(Card)
        .where(Card.course_id == course.id, Card.merged_into_id.is_(None))
        .options(selectinload(Card.merged_cards))
        .order_by(Card.id.desc())
    )
    if details:
        query = query.options(
            selectinload(Card.merged_cards).selectinload(Card.participant),
            selectinload(Card.participant),
            selectinload(Card.merged_cards).selectinload(Card.author_department),
            selectinload(Card.author_department),
            selectinload(Card.links).selectinload(CardRequirement.requirement),
            selectinload(Card.department_links).selectinload(CardDepartment.department),
        )
    if not include_hidden:
        query = query.where(Card.hidden.is_(False))
    return list(db.session.scalars(query))


def cards_of(participant: Participant) -> list[Card]:
    return list(
        db.session.scalars(
            select(Card).where(Card.participant_id == participant.id).order_by(Card.id.desc())
        )
    )


def card_in_course(course: Course, card_id: int | None) -> Card | None:
    if not isinstance(card_id, int) or not 0 < card_id < 2**63:
        return None
    card = db.session.get(Card, card_id)
    return card if card is not None and card.course_id == course.id else None
