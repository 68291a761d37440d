"""Feedback beyond the state: rules the municipality's own IT system or its politicians
made, gathered for a document to the IT vendor or to the political committee / top
management (issue 18 part 6).

Two routes, one shape (ROUTES). A card whose origin is an IT system can go to the IT
vendor: which system (cards about the same system are grouped together in the document),
what it costs, what we ask the vendor to change. A card whose origin is a municipal decision
can go to the political committee or the top management: which decision (by whom and when,
where known), what it costs, whether we ask them to remove or change it, and what the group
found: its solutions and how far the action plan has come.

What it costs is said honestly: in words; as the group's estimate in minutes per case or
per week, always labelled as an estimate; and, where the course measured it, as the
before/after figures of a measure. The estimates are never added up: cards overlap (a
merged card, two cards about the same screen), and a sum would look like a measurement.

The document follows the state's feedback (workshop.state_feedback, whose helpers it
shares): cards numbered as in the action plan, hidden, redacted and deleted cards' words
left out, merged cards shown with the card they were merged into, dots only as a total once
the vote is revealed (never split, so no small group is shown), and a flagged card whose
origin has changed since is left out and listed as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from workshop.core.clock import EARLIEST_DAY, LATEST_DAY, local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardFeedback, Course, Measure, Solution, utcnow
from workshop.core.text import tidy
from workshop.courses import touch
from workshop.measures import MeasureStats, measure_in_course, measure_stats
from workshop.state_feedback import (
    card_dot_totals,
    card_numbers,
    clean_text,
    hidden_markers,
    is_hidden,
)

SUBJECT_MAX = 200
ESTIMATE_MAX_MINUTES = 100_000  # about 1,700 hours: more per case or week is a typo


@dataclass(frozen=True)
class Route:
    """One recipient beyond the state: which cards may go there and what the form asks."""

    key: str  # CardFeedback.route
    origins: tuple[str, ...]  # vocabulary.ORIGINS a card must have
    asks_decision: bool  # by whom and when the decision was made, remove or change
    shows_solutions: bool  # the group's solutions and the action plan's status


ROUTES = {
    "it_vendor": Route("it_vendor", ("it_system",), asks_decision=False, shows_solutions=False),
    "politics": Route(
        "politics", ("municipal_decision",), asks_decision=True, shows_solutions=True
    ),
}

ESTIMATE_PER = {"case": _l("per case"), "week": _l("per week")}
ASKS = {"remove": _l("Remove it"), "change": _l("Change it")}


def route_of(key: str) -> Route:
    return ROUTES[key]


def fits(route: Route, card: Card) -> bool:
    """May the card go by this route (its origin is the route's)?"""
    return card.origin in route.origins


def routes_for(card: Card) -> list[Route]:
    """The routes the card's origin fits, then those it is flagged for (the page shows both)."""
    flagged = {feedback.route for feedback in flags_of(card)}
    return [route for route in ROUTES.values() if fits(route, card) or route.key in flagged]


def flags_of(card: Card) -> list[CardFeedback]:
    return list(db.session.scalars(select(CardFeedback).where(CardFeedback.card_id == card.id)))


def local_feedback_of(card: Card, route: Route) -> CardFeedback | None:
    return db.session.scalar(
        select(CardFeedback).where(CardFeedback.card_id == card.id, CardFeedback.route == route.key)
    )


# --- Flagging ----------------------------------------------------------------------------------


def _subject(text: str | None, label: str) -> str:
    text = tidy(text)
    if len(text) > SUBJECT_MAX:
        raise WorkshopError(
            _("%(field)s can be at most %(n)s characters.", field=label, n=SUBJECT_MAX),
            code="too_long",
        )
    return text


def _estimate(minutes, per: str | None) -> tuple[int | None, str]:
    """Whole minutes per case or per week, or no estimate at all; a friendly refusal else."""
    text = str(minutes if minutes is not None else "").strip()
    per = (per or "").strip()
    if not text:
        return None, ""
    if not re.fullmatch(r"\d{1,9}", text) or not 0 < int(text) <= ESTIMATE_MAX_MINUTES:
        raise WorkshopError(
            _("Write the estimate as whole minutes, from 1 to %(n)s.", n=ESTIMATE_MAX_MINUTES),
            code="estimate",
        )
    if per not in ESTIMATE_PER:
        raise WorkshopError(
            _("Choose whether the estimate is per case or per week."), code="estimate_per"
        )
    return int(text), per


def _decision_date(value) -> date | None:
    if value in (None, ""):
        return None
    refused = WorkshopError(
        _("Write the date of the decision as a date, or leave it empty."), code="decided_on"
    )
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise refused from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:  # as every date field (and a course file)
        raise refused
    return day


def _checked(route: Route, card: Card, fields: dict) -> dict:
    """The fields as stored, or a friendly refusal; nothing is written on a refusal."""
    if not fits(route, card):
        raise WorkshopError(
            _("Only a card whose rule comes from an IT system can be sent to the IT vendor.")
            if route.key == "it_vendor"
            else _(
                "Only a card whose rule comes from a municipal decision can be sent to the "
                "political committee or the top management."
            ),
            code="origin",
        )
    minutes, per = _estimate(fields.get("estimate_minutes"), fields.get("estimate_per"))
    measure_id = fields.get("measure_id") or None
    measure = None
    if measure_id is not None:
        measure = measure_in_course(card.course, measure_id)
        if measure is None:
            raise WorkshopError(_("Choose one of this course's measures, or none."), code="measure")
    ask = (fields.get("ask") or "") if route.asks_decision else ""
    if ask not in ("", *ASKS):
        raise WorkshopError(_("Choose whether to remove or change the decision."), code="ask")
    values = {
        "subject": _subject(
            fields.get("subject"),
            _("Which decision") if route.asks_decision else _("Which IT system"),
        ),
        "decided_by": "",
        "decided_on": None,
        "cost": clean_text(fields.get("cost"), _("What it costs in practice")),
        "estimate_minutes": minutes,
        "estimate_per": per,
        "measure_id": measure.id if measure is not None else None,
        "ask": ask,
        "proposal": clean_text(fields.get("proposal"), _("What we ask them to change")),
    }
    if route.asks_decision:
        values["decided_by"] = _subject(fields.get("decided_by"), _("Made by"))
        values["decided_on"] = _decision_date(fields.get("decided_on"))
    return values


def flag_for(route: Route, card: Card, **fields) -> CardFeedback:
    """Put the card in the route's document, or update it if it is there already (a
    double-sent form, or two facilitators at once, ends as one flag)."""
    values = _checked(route, card, fields)
    feedback = local_feedback_of(card, route)
    if feedback is not None:
        return _write(feedback, values)
    feedback = CardFeedback(course_id=card.course_id, card_id=card.id, route=route.key, **values)
    db.session.add(feedback)
    touch(card.course)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # flagged by someone else a moment ago: update theirs
        feedback = local_feedback_of(card, route)
        if feedback is None:
            raise
        return _write(feedback, values)
    return feedback


def _write(feedback: CardFeedback, values: dict) -> CardFeedback:
    for name, value in values.items():
        setattr(feedback, name, value)
    feedback.updated_at = utcnow()
    touch(feedback.card.course)
    db.session.commit()
    return feedback


def unflag_for(route: Route, card: Card) -> bool:
    """Take the card out of the route's document (allowed whatever its origin now)."""
    feedback = local_feedback_of(card, route)
    if feedback is None:
        return False
    db.session.delete(feedback)
    touch(card.course)
    db.session.commit()
    return True


# --- The document -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolutionLine:
    """One of the group's solutions to the card, as far as the action plan has come."""

    text: str  # "" when hidden or redacted
    kind: str  # vocabulary.SOLUTION_KINDS
    chosen: bool
    action_status: str | None  # vocabulary.ACTION_STATUSES, None without an action


@dataclass(frozen=True)
class LocalRow:
    number: int
    card: Card
    feedback: CardFeedback
    text_hidden: bool
    merged_texts: list[str]
    merged_hidden: int
    merged_into: int | None
    dots: int | None  # None while the vote is not revealed
    measure: Measure | None
    stats: MeasureStats | None
    solutions: list[SolutionLine]

    @property
    def text(self) -> str:
        return "" if self.text_hidden else self.card.text

    @property
    def has_estimate(self) -> bool:
        return self.feedback.estimate_minutes is not None


@dataclass(frozen=True)
class LocalGroup:
    """The cards about one IT system (the vendor's document) or one body (the committee's):
    `label` is "" for the cards that name none."""

    label: str
    rows: list[LocalRow]


@dataclass(frozen=True)
class LocalDocument:
    course: Course
    route: Route
    generated: date
    groups: list[LocalGroup]
    left_out: list[LocalRow]  # flagged, but the origin no longer fits the route
    votes_shown: bool

    @property
    def rows(self) -> list[LocalRow]:
        return [row for group in self.groups for row in group.rows]


def group_key(text: str) -> str:
    """ "Sagsbehandlingssystemet " and "sagsbehandlingssystemet" are the same system."""
    return " ".join(text.split()).casefold()


def _solutions(card: Card, markers: tuple[str, ...]) -> list[SolutionLine]:
    solutions = db.session.scalars(
        select(Solution)
        .where(Solution.card_id == card.id, Solution.hidden.is_(False))
        .options(selectinload(Solution.action))
        .order_by(Solution.chosen.desc(), Solution.id)
    )
    return [
        SolutionLine(
            text="" if solution.text in markers else solution.text,
            kind=solution.kind,
            chosen=solution.chosen,
            action_status=solution.action.status if solution.action is not None else None,
        )
        for solution in solutions
    ]


def local_document(course: Course, route: Route) -> LocalDocument:
    """The course's cards flagged for the route, grouped by system (or body), each group and
    the cards in it in the order of the cards."""
    numbers = card_numbers(course)
    flagged = db.session.scalars(
        select(CardFeedback)
        .where(CardFeedback.course_id == course.id, CardFeedback.route == route.key)
        .options(
            selectinload(CardFeedback.card).selectinload(Card.merged_cards),
            selectinload(CardFeedback.measure).selectinload(Measure.entries),
        )
        .join(Card, Card.id == CardFeedback.card_id)
        .order_by(Card.id)
    ).all()
    totals = card_dot_totals(course)
    markers = hidden_markers()
    groups: dict[str, LocalGroup] = {}
    left_out = []
    for feedback in flagged:
        card = feedback.card
        merged = card.merged_cards
        row = LocalRow(
            number=numbers[card.id],
            card=card,
            feedback=feedback,
            text_hidden=is_hidden(card, markers),
            merged_texts=[m.text for m in merged if not is_hidden(m, markers)],
            merged_hidden=sum(1 for m in merged if is_hidden(m, markers)),
            merged_into=numbers.get(card.merged_into_id) if card.merged_into_id else None,
            dots=totals.get(card.id, 0) if totals is not None else None,
            measure=feedback.measure,
            stats=measure_stats(feedback.measure) if feedback.measure is not None else None,
            solutions=_solutions(card, markers) if route.shows_solutions else [],
        )
        if not fits(route, card):
            left_out.append(row)
            continue
        label = feedback.decided_by if route.asks_decision else feedback.subject
        group = groups.setdefault(group_key(label), LocalGroup(" ".join(label.split()), []))
        group.rows.append(row)
    # The named ones first, in the order their first card was written; the unnamed last.
    ordered = sorted(groups.values(), key=lambda group: group.label == "")
    return LocalDocument(course, route, local_today(), ordered, left_out, totals is not None)


def has_local_feedback(course: Course, route: Route) -> bool:
    """Is any card of the course in the route's document (flagged, its origin still fits)?"""
    found = db.session.scalar(
        select(CardFeedback.id)
        .join(Card, Card.id == CardFeedback.card_id)
        .where(
            CardFeedback.course_id == course.id,
            CardFeedback.route == route.key,
            Card.origin.in_(route.origins),
        )
        .limit(1)
    )
    return found is not None
