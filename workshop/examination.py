"""Examining and prioritising cards (step 2): which rule, where it comes from, what we decide."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workshop.catalogue import requirement_by_key, requirement_label
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardRequirement, Course, Vote
from workshop.core.text import tidy
from workshop.core.vocabulary import ORIGIN_GROUPS, ORIGINS, PRIORITY_STATUSES
from workshop.courses import touch

EXAMINE_TEXT_MAX = 2000


def link_requirement(card: Card, key: str) -> CardRequirement:
    """Link a card to a catalogue entry, recording the entry's version and law version."""
    course = card.course
    requirement = requirement_by_key(key, course.facilitator_id)
    if requirement is None:
        raise WorkshopError(
            _("There is no requirement %(key)s in the catalogue.", key=(key or "")[:20]),
            code="unknown",
        )
    if not requirement.is_law:
        # A card's link says "our rule stems from this law": a bill, a draft or a law that
        # was never adopted cannot be where a rule comes from, so it is never offered as law.
        raise WorkshopError(
            _(
                "%(requirement)s is planned, not law: it cannot be the legal basis of a card. "
                "Link the rule in force, or a local rule.",
                requirement=requirement_label(requirement),
            ),
            code="not_law",
        )
    if any(link.requirement_id == requirement.id for link in card.links):
        raise WorkshopError(
            _(
                "The card is already linked to %(requirement)s.",
                requirement=requirement_label(requirement),
            ),
            code="duplicate",
        )
    link = CardRequirement(
        requirement=requirement,
        version=requirement.version,
        law_version=requirement.law_version,
    )
    card.links.append(link)
    touch(course)
    db.session.commit()
    return link


def unlink_requirement(card: Card, link_id: int) -> None:
    link = next((link for link in card.links if link.id == link_id), None)
    if link is not None:
        card.links.remove(link)
        touch(card.course)
        db.session.commit()


def _clean(text: str | None, label: str) -> str:
    text = tidy(text)
    if len(text) > EXAMINE_TEXT_MAX:
        raise WorkshopError(
            _("%(field)s can be at most %(n)s characters.", field=label, n=EXAMINE_TEXT_MAX),
            code="too_long",
        )
    return text


def examine_card(card: Card, *, origin: str, problem: str = "", stakeholders: str = "") -> Card:
    """Record where the rule comes from, what the real problem is, and who else has a stake."""
    if origin not in ORIGINS:
        raise WorkshopError(_("Choose where the rule comes from."), code="origin")
    problem = _clean(problem, _("The real problem"))
    stakeholders = _clean(stakeholders, _("Who else has a stake"))
    card.origin, card.problem, card.stakeholders = origin, problem, stakeholders
    touch(card.course)
    db.session.commit()
    return card


def prioritise(card: Card, status: str, *, later_when: str = "", reason: str = "") -> Card:
    """Prioritised, later (say when) or outside the frame (say why): said openly, per card."""
    if status not in PRIORITY_STATUSES:
        raise WorkshopError(_("Choose a status for the challenge."), code="status")
    later_when = _clean(later_when, _("When"))[:200]
    reason = _clean(reason, _("Why"))
    if status == "later" and not later_when:
        raise WorkshopError(_("Say when the challenge will be taken up."), code="later_when")
    if status == "out_of_scope" and not reason:
        raise WorkshopError(_("Say why the challenge is outside the frame."), code="reason")
    card.priority = status
    card.later_when = later_when if status == "later" else ""
    card.out_of_scope_reason = reason if status == "out_of_scope" else ""
    touch(card.course)
    db.session.commit()
    return card


@dataclass(frozen=True)
class OriginRow:
    origin: str
    label: str
    cards: int
    votes: int


@dataclass(frozen=True)
class OriginOverview:
    rows: list[OriginRow]
    groups: dict[str, tuple[int, int]]  # group -> (cards, votes)

    @property
    def max_cards(self) -> int:
        return max((row.cards for row in self.rows), default=0)

    @property
    def max_votes(self) -> int:
        return max((row.votes for row in self.rows), default=0)

    @property
    def total_cards(self) -> int:
        return sum(row.cards for row in self.rows)


def origin_overview(course: Course) -> OriginOverview:
    """How many cards and dots rest on law, on our own decisions and habits, or on nothing yet."""
    visible = (Card.course_id == course.id, Card.hidden.is_(False), Card.merged_into_id.is_(None))
    cards = dict(
        db.session.execute(
            select(Card.origin, func.count()).where(*visible).group_by(Card.origin)
        ).all()
    )
    votes = dict(
        db.session.execute(
            select(Card.origin, func.coalesce(func.sum(Vote.dots), 0))
            .join(Vote, Vote.card_id == Card.id)
            .where(*visible)
            .group_by(Card.origin)
        ).all()
    )
    rows = [
        OriginRow(key, str(label), cards.get(key, 0), votes.get(key, 0))
        for key, label in ORIGINS.items()
    ]
    groups = {
        group: (
            sum(cards.get(o, 0) for o in origins),
            sum(votes.get(o, 0) for o in origins),
        )
        for group, origins in ORIGIN_GROUPS.items()
    }
    return OriginOverview(rows, groups)


def prioritised_cards(course: Course) -> list[Card]:
    """The challenges the group prioritised, with the requirements they are linked to."""
    return list(
        db.session.scalars(
            select(Card)
            .where(
                Card.course_id == course.id,
                Card.priority == "prioritised",
                Card.hidden.is_(False),
                Card.merged_into_id.is_(None),
            )
            .options(selectinload(Card.links).selectinload(CardRequirement.requirement))
            .order_by(Card.id)
        )
    )
