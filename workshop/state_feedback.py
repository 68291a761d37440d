"""Feedback to the state: rules only the state can change, gathered for a document.

A card whose origin is national law or an executive order (vocabulary.ORIGIN_GROUPS
"state"), and that the group still wants changed, can be flagged with what the rule costs
in practice (in words, and measured where a measure of the course shows it), what the
group proposes, and whether a local trial could be allowed (the act's trial provision, or
an exemption scheme like the free-municipality trials). `feedback_document()` gathers the
flagged cards for the PDF (workshop.reports.pdf) and the CSV (workshop.exchange.csv) a job
centre sends to its management, KL or the ministry.

The requirement each card is linked to is shown as the card was linked to it *and* as the
catalogue reads now, when the two differ: a document to the ministry must not quote a law
version the group never looked at, nor hide that the law has moved since.

TRIAL_FACTS is a small table of what we know about trial provisions and exemption schemes
per act, from the November 2026 legal check (see the catalogue's entry R31). Each fact
carries its confidence; where a paragraph number was not found, the fact says so instead
of guessing one.
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

from workshop.catalogue import catalogue_metadata, requirement_label
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    CardRequirement,
    Course,
    Measure,
    StateFeedback,
    citation,
    utcnow,
)
from workshop.core.text import deletion_marker, redaction_marker, tidy
from workshop.core.vocabulary import ORIGIN_GROUPS
from workshop.courses import touch
from workshop.measures import MeasureStats, measure_in_course, measure_stats
from workshop.votes import CARDS, results

TEXT_MAX = 2000
STATE_ORIGINS = ORIGIN_GROUPS["state"]

TRIAL_OPTIONS = {
    "trial_provision": _l("Yes: the act's trial provision"),
    "exemption": _l("Yes: an exemption scheme (like the free-municipality trials)"),
    "no": _l("No"),
    "unknown": _l("Not known yet"),
}


# --- What we know about local trials ---------------------------------------------------


@dataclass(frozen=True)
class TrialFact:
    """A trial provision or an exemption scheme, with how sure we are and where it says so."""

    key: str
    acts: tuple[str, ...]  # the acts it lets a municipality depart from; () = any act
    provision: str  # its name as it is cited (not translated)
    text: object  # a lazy translatable string
    confidence: str  # vocabulary.CONFIDENCE
    source: str


TRIAL_FACTS: tuple[TrialFact, ...] = (
    TrialFact(
        "las-110",
        ("LAS",),
        "LAS § 110",
        _l(
            "The minister may, on a municipality's application, allow job-promoting trials "
            "that depart from the Active Social Policy Act, except benefit rates and periods."
        ),
        "verified",
        "https://www.elov.dk/aktivloven/paragraf/110/",
    ),
    TrialFact(
        "bek-2498-2021",
        ("LAB",),
        "BEK nr. 2498 af 10/12/2021 om forsøg på beskæftigelsesområdet",
        _l(
            "A trial executive order exists under the current act, so trials that depart "
            "from it have a legal basis. The exact LAB paragraph the order rests on was not "
            "found: check the order's opening line (“I medfør af …”) on retsinformation.dk "
            "before citing it."
        ),
        "unsure",
        "https://www.retsinformation.dk/",
    ),
    TrialFact(
        "old-trial-orders",
        ("SDL", "LOB"),
        "LAB § 116 (før 2020), LOB § 55, SDL § 80",
        _l(
            "Before 2020 the trial executive orders rested on the old LAB § 116 together "
            "with LOB § 55 and the Sickness Benefit Act § 80. Whether these paragraphs still "
            "carry trials today has not been checked."
        ),
        "unsure",
        "http://www.ft.dk/samling/20171/almdel/BEU/bilag/101/1832501/index.htm",
    ),
    TrialFact(
        "frikommune",
        (),
        "Lov nr. 658 af 8/6/2017 om frikommunenetværk; velfærdsaftaler 2022–23",
        _l(
            "Exemption schemes: the free-municipality networks (2016/17–2021, some "
            "employment trials extended to the end of 2025) let named municipalities depart "
            "from process rules. The 2022 welfare agreements that were to free four "
            "municipalities from most employment rules were stopped in August 2023 before "
            "they started. Check whether a scheme is open before applying."
        ),
        "likely",
        "https://bm.dk/nyheder/nyheder/2023/08/ekspertgruppe-overhaler-velfaerdsaftaler-paa-beskaeftigelsesomraadet/",
    ),
)

KNOWN_ACTS = ("LAB", "LAS", "SDL", "LAF", "LOB", "SEL", "INL")
_ACT_PATTERN = re.compile(r"\b(" + "|".join(KNOWN_ACTS) + r")\b")


def trial_facts_for(acts: set[str]) -> list[TrialFact]:
    """The facts about the given acts, then the exemption schemes that apply to any act."""
    specific = [fact for fact in TRIAL_FACTS if fact.acts and set(fact.acts) & acts]
    general = [fact for fact in TRIAL_FACTS if not fact.acts]
    return specific + general


# --- Flagging --------------------------------------------------------------------------------


def is_state_origin(card: Card) -> bool:
    return card.origin in STATE_ORIGINS


def feedback_of(card: Card) -> StateFeedback | None:
    return db.session.scalar(select(StateFeedback).where(StateFeedback.card_id == card.id))


def clean_text(text: str | None, label: str) -> str:
    """Tidied like every text, or refused when longer than TEXT_MAX."""
    text = tidy(text)
    if len(text) > TEXT_MAX:
        raise WorkshopError(
            _("%(field)s can be at most %(n)s characters.", field=label, n=TEXT_MAX),
            code="too_long",
        )
    return text


def _checked(card: Card, fields: dict) -> dict:
    """The fields as stored, or a friendly refusal; nothing is written on a refusal."""
    if not is_state_origin(card):
        raise WorkshopError(
            _(
                "Only a card whose rule comes from national law or an executive order can be "
                "sent to the state. Examine the card first: where does the rule come from?"
            ),
            code="origin",
        )
    trial = fields.get("trial") or "unknown"
    if trial not in TRIAL_OPTIONS:
        raise WorkshopError(_("Choose whether a local trial could be allowed."), code="trial")
    measure_id = fields.get("measure_id") or None
    measure = None
    if measure_id is not None:
        measure = measure_in_course(card.course, measure_id)
        if measure is None:
            raise WorkshopError(_("Choose one of this course's measures, or none."), code="measure")
    return {
        "cost": clean_text(fields.get("cost"), _("What it costs in practice")),
        "proposal": clean_text(fields.get("proposal"), _("What we propose")),
        "trial": trial,
        "trial_note": clean_text(fields.get("trial_note"), _("Note on a local trial")),
        "measure_id": measure.id if measure is not None else None,
    }


def flag_card(card: Card, **fields) -> StateFeedback:
    """Flag a card for the feedback to the state, or update it if it is flagged already
    (a double-sent form, or two facilitators at once, ends as one flag)."""
    values = _checked(card, fields)
    feedback = feedback_of(card)
    if feedback is not None:
        return _write(feedback, values)
    feedback = StateFeedback(course_id=card.course_id, card_id=card.id, **values)
    db.session.add(feedback)
    touch(card.course)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # flagged by someone else a moment ago: update theirs
        feedback = feedback_of(card)
        if feedback is None:
            raise
        return _write(feedback, values)
    return feedback


def update_feedback(feedback: StateFeedback, **fields) -> StateFeedback:
    return _write(feedback, _checked(feedback.card, fields))


def _write(feedback: StateFeedback, values: dict) -> StateFeedback:
    for name, value in values.items():
        setattr(feedback, name, value)
    feedback.updated_at = utcnow()
    touch(feedback.card.course)
    db.session.commit()
    return feedback


def unflag_card(card: Card) -> bool:
    """Take the card out of the feedback document (allowed whatever its origin now)."""
    feedback = feedback_of(card)
    if feedback is None:
        return False
    db.session.delete(feedback)
    touch(card.course)
    db.session.commit()
    return True


# --- The document's rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementLine:
    """A linked catalogue entry as the card was linked to it, and as it reads now."""

    key: str
    is_local: bool
    act: str
    act_name: str  # "Lov om en aktiv beskæftigelsesindsats", from the catalogue file
    label: str  # "LAB § 31, stk. 1: Name", as now (catalogue.requirement_label)
    law_version: str  # now
    version: int
    status: str
    linked_version: int
    linked_law_version: str
    linked_label: str  # as the card was linked to it
    linked_status: str
    acts: frozenset[str]  # every act its act field or its paragraph names, then or now

    @property
    def changed(self) -> bool:
        """The entry moved since the card was linked: show both, never one silently."""
        return self.version != self.linked_version or self.law_version != self.linked_law_version


def _act_name(act: str) -> str:
    acts, _groups = catalogue_metadata()
    entry = acts.get(act) if act else None
    return str(entry.get("name", "")) if isinstance(entry, dict) else ""


def _requirement_line(link: CardRequirement) -> RequirementLine:
    requirement = link.requirement
    then = link.as_linked or {}
    acts: set[str] = set()
    if not requirement.is_local:
        then_citation = citation(
            then.get("act", requirement.act), then.get("paragraph", requirement.paragraph)
        )
        acts = {requirement.act} - {""}
        acts.update(_ACT_PATTERN.findall(f"{requirement.citation} {then_citation}"))
    return RequirementLine(
        key=requirement.key,
        is_local=requirement.is_local,
        act=requirement.act,
        act_name="" if requirement.is_local else _act_name(requirement.act),
        label=requirement_label(requirement),
        law_version=requirement.law_version,
        version=requirement.version,
        status=requirement.status,
        linked_version=link.version,
        linked_law_version=link.law_version or then.get("law_version", ""),
        linked_label=requirement_label(requirement, as_linked=then),
        linked_status=then.get("status", requirement.status) or "",
        acts=frozenset(acts),
    )


def _acts_of(lines: list[RequirementLine]) -> set[str]:
    """Every act the linked law entries name (local rules name none)."""
    return set().union(*(line.acts for line in lines))


@dataclass(frozen=True)
class FeedbackRow:
    number: int  # the card's number, as in the action plan (cards in the order written)
    card: Card
    feedback: StateFeedback
    text_hidden: bool  # hidden or redacted: the text stays out of the document
    merged_texts: list[str]  # the visible texts of cards merged into this one
    merged_hidden: int  # merged cards whose text is hidden
    merged_into: int | None  # the number of the card this one was merged into
    dots: int | None  # None while the vote is not revealed
    requirements: list[RequirementLine]
    measure: Measure | None
    stats: MeasureStats | None
    trial_facts: list[TrialFact]

    @property
    def text(self) -> str:
        return "" if self.text_hidden else self.card.text

    @property
    def any_changed(self) -> bool:
        return any(line.changed for line in self.requirements)


@dataclass(frozen=True)
class FeedbackDocument:
    course: Course
    generated: date
    rows: list[FeedbackRow]
    left_out: list[FeedbackRow]  # flagged, but the origin is no longer national law
    votes_shown: bool

    @property
    def facts(self) -> tuple[TrialFact, ...]:
        return TRIAL_FACTS


# --- Shared by every feedback document (this one and workshop.local_feedback's) -----------


def card_numbers(course: Course) -> dict[int, int]:
    """Each card's number, as in the action plan: the course's cards in the order written."""
    ids = db.session.scalars(select(Card.id).where(Card.course_id == course.id).order_by(Card.id))
    return {card_id: number for number, card_id in enumerate(ids, start=1)}


def hidden_markers() -> tuple[str, ...]:
    """Redacted by the facilitator, or deleted by its author: left out like a hidden card."""
    return (redaction_marker(), deletion_marker())


def is_hidden(card: Card, markers: tuple[str, ...]) -> bool:
    return card.hidden or card.text in markers


def card_dot_totals(course: Course) -> dict[int, int] | None:
    """Each card's dots once the vote is revealed (None before): totals only, never split by
    role or department, so no group small enough to be held back is shown."""
    votes = results(course, CARDS)
    return None if votes is None else {row.item.id: row.total for row in votes.rows}


def feedback_document(course: Course) -> FeedbackDocument:
    """The flagged cards of a course, with what the document says about each."""
    numbers = card_numbers(course)
    flagged = db.session.scalars(
        select(StateFeedback)
        .where(StateFeedback.course_id == course.id)
        .options(
            selectinload(StateFeedback.card)
            .selectinload(Card.links)
            .selectinload(CardRequirement.requirement),
            selectinload(StateFeedback.card).selectinload(Card.merged_cards),
            selectinload(StateFeedback.measure).selectinload(Measure.entries),
        )
        .join(Card, Card.id == StateFeedback.card_id)
        .order_by(Card.id)
    ).all()
    totals = card_dot_totals(course)
    marker = hidden_markers()
    rows, left_out = [], []
    for feedback in flagged:
        card = feedback.card
        lines = [_requirement_line(link) for link in card.links]
        measure = feedback.measure
        merged = card.merged_cards
        row = FeedbackRow(
            number=numbers[card.id],
            card=card,
            feedback=feedback,
            text_hidden=is_hidden(card, marker),
            merged_texts=[m.text for m in merged if not is_hidden(m, marker)],
            merged_hidden=sum(1 for m in merged if is_hidden(m, marker)),
            merged_into=numbers.get(card.merged_into_id) if card.merged_into_id else None,
            dots=totals.get(card.id, 0) if totals is not None else None,
            requirements=lines,
            measure=measure,
            stats=measure_stats(measure) if measure is not None else None,
            trial_facts=trial_facts_for(_acts_of(lines)),
        )
        (rows if is_state_origin(card) else left_out).append(row)
    return FeedbackDocument(course, local_today(), rows, left_out, totals is not None)


def has_feedback(course: Course) -> bool:
    """Is any card of the course in the document (flagged, and its rule still the state's)?"""
    found = db.session.scalar(
        select(StateFeedback.id)
        .join(Card, Card.id == StateFeedback.card_id)
        .where(StateFeedback.course_id == course.id, Card.origin.in_(STATE_ORIGINS))
        .limit(1)
    )
    return found is not None


def measures_for_choice(course: Course) -> list[Measure]:
    """The course's measures a flag may point to, in the order of the actions."""
    return list(
        db.session.scalars(
            select(Measure)
            .join(Action, Action.id == Measure.action_id)
            .where(Action.course_id == course.id)
            .order_by(Measure.action_id, Measure.id)
        )
    )
