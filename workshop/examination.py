"""Examining and prioritising cards (step 2): which rule, where it comes from, what we decide.

In a course across departments a card also involves departments, and its origin may be
another department's rule or practice, naming one of them (`examine_card`,
`department_overview`: which departments' rules cause most bøvl)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import selectinload

from workshop.catalogue import requirement_by_key, requirement_label
from workshop.core.clock import EARLIEST_DAY, LATEST_DAY, local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardDepartment, CardRequirement, Course, Department, Vote
from workshop.core.text import tidy
from workshop.core.vocabulary import ORIGIN_GROUPS, ORIGINS, OTHER_DEPARTMENT, PRIORITY_STATUSES
from workshop.courses import touch

EXAMINE_TEXT_MAX = 2000


def check_is_law(requirement) -> None:
    """Refuse a requirement that is not law as the rule behind something (a card's link, a
    touchpoint's rule): a bill, a draft or a law never adopted cannot be where a rule comes
    from, so it is never offered as law."""
    if not requirement.is_law:
        raise WorkshopError(
            _(
                "%(requirement)s is planned, not law: it cannot be the legal basis of a card. "
                "Link the rule in force, or a local rule.",
                requirement=requirement_label(requirement),
            ),
            code="not_law",
        )


def check_can_link(requirement) -> None:
    """`check_is_law`, and a retired local rule is offered for no new link (the cards that
    link it keep it, marked as retired)."""
    check_is_law(requirement)
    if requirement.is_retired:
        raise WorkshopError(
            _(
                "%(requirement)s is retired: it can no longer be linked.",
                requirement=requirement_label(requirement),
            ),
            code="retired",
        )


def link_requirement(card: Card, key: str) -> CardRequirement:
    """Link a card to a catalogue entry, recording the entry's version and law version."""
    course = card.course
    requirement = requirement_by_key(key, course.facilitator_id)
    if requirement is None:
        raise WorkshopError(
            _("There is no requirement %(key)s in the catalogue.", key=(key or "")[:20]),
            code="unknown",
        )
    check_can_link(requirement)
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


def examine_card(
    card: Card,
    *,
    origin: str,
    problem: str = "",
    stakeholders: str = "",
    departments: Iterable[int] | None = None,
    origin_department: int | None = None,
) -> Card:
    """Record where the rule comes from, what the real problem is, and who else has a stake.

    In a course across departments also the departments the card involves (`departments`,
    None to leave them as they are) and, for "another department's rule or practice", which
    department that is (`origin_department`, None to keep the one named)."""
    if origin not in ORIGINS:
        raise WorkshopError(_("Choose where the rule comes from."), code="origin")
    offered = departments_offered(card.course)
    if origin == OTHER_DEPARTMENT and not offered and card.origin != OTHER_DEPARTMENT:
        raise WorkshopError(
            _("Another department's rule can be chosen in a course across departments."),
            code="origin",
        )
    problem = _clean(problem, _("The real problem"))
    stakeholders = _clean(stakeholders, _("Who else has a stake"))
    named = None
    if origin == OTHER_DEPARTMENT:
        named = origin_department if origin_department is not None else named_department_id(card)
        if named is None:
            raise WorkshopError(
                _("Choose which department's rule or practice it is."), code="origin_department"
            )
    _set_departments(card, departments, named, offered)
    card.origin, card.problem, card.stakeholders = origin, problem, stakeholders
    touch(card.course)
    db.session.commit()
    return card


# --- Departments (issue 14): which departments a card involves, whose rule it is ---------


def departments_offered(course: Course) -> bool:
    """Departments are asked about only in a course across departments, in an organisation
    that keeps a list of them; any other course looks as it always did."""
    return bool(course.across_departments and course.organisation.departments)


def department_choices(course: Course, card: Card | None = None) -> list[Department]:
    """The departments the card page offers: the organisation's active ones, and any retired
    one the card already names (it stays on the card, but is never chosen anew)."""
    kept = {link.department_id for link in card.department_links} if card is not None else set()
    return [
        department
        for department in course.organisation.departments
        if department.retired_at is None or department.id in kept
    ]


def named_department_id(card: Card) -> int | None:
    return next((link.department_id for link in card.department_links if link.names_origin), None)


def named_department(card: Card) -> Department | None:
    """The department whose rule or practice the card's origin names, if it names one."""
    if card.origin != OTHER_DEPARTMENT:
        return None
    return next((link.department for link in card.department_links if link.names_origin), None)


def origin_label(card: Card) -> str:
    """The card's origin in words, naming the department where the origin names one."""
    label = str(ORIGINS.get(card.origin, card.origin))
    department = named_department(card)
    if department is None:
        return label
    return _("%(origin)s: %(department)s", origin=label, department=department.name)


def _set_departments(card: Card, chosen: Iterable[int] | None, named: int | None, offered: bool):
    """The card's departments made `chosen` (kept as they are when None) plus the one its
    origin names, which is marked and so always among them; nothing marked when the origin
    names no department. A department new to the card must be an active one of the course's
    organisation."""
    current = {link.department_id for link in card.department_links}
    wanted = set(current) if chosen is None else set(chosen)
    if named is not None:
        wanted.add(named)
    # Every new department is checked before the card changes at all.
    added = [_new_department(card, d, named, offered) for d in sorted(wanted - current)]
    for department in added:
        card.department_links.append(
            CardDepartment(department_id=department.id, department=department)
        )
    for link in list(card.department_links):
        if link.department_id not in wanted:
            card.department_links.remove(link)
        else:
            link.names_origin = link.department_id == named


def _new_department(card: Card, department_id: int, named: int | None, offered: bool):
    """A department new to the card: an active one of the course's organisation."""
    code = "origin_department" if department_id == named else "departments"
    if not offered:
        raise WorkshopError(
            _("Departments can be named in a course across departments."), code=code
        )
    # An id no row can have (a hostile form's 10**30) is unknown, not a database error.
    department = db.session.get(Department, department_id) if 0 < department_id < 2**31 else None
    if department is None or department.organisation_id != card.course.organisation_id:
        raise WorkshopError(
            _("That department is not one of the organisation's departments."), code=code
        )
    if department.retired_at is not None:
        raise WorkshopError(
            _(
                "%(department)s is retired and cannot be chosen any more.",
                department=department.name,
            ),
            code=code,
        )
    return department


def prioritise(
    card: Card,
    status: str,
    *,
    later_when: str = "",
    reason: str = "",
    later_due: date | None = None,
    today: date | None = None,
) -> Card:
    """Prioritised, later (say when: a note, a date or both) or outside the frame (say
    why): said openly, per card. The date is when "later" comes back (`due_later_cards`)."""
    if status not in PRIORITY_STATUSES:
        raise WorkshopError(_("Choose a status for the challenge."), code="status")
    later_when = _clean(later_when, _("When"))[:200]
    reason = _clean(reason, _("Why"))
    if status == "later" and not later_when and later_due is None:
        raise WorkshopError(_("Say when the challenge will be taken up."), code="later_when")
    if status == "later":
        _check_later_due(card, later_due, today or local_today())
    if status == "out_of_scope" and not reason:
        raise WorkshopError(_("Say why the challenge is outside the frame."), code="reason")
    card.priority = status
    card.later_when = later_when if status == "later" else ""
    card.later_due = later_due if status == "later" else None
    card.out_of_scope_reason = reason if status == "out_of_scope" else ""
    touch(card.course)
    db.session.commit()
    return card


def _check_later_due(card: Card, later_due: date | None, today: date) -> None:
    """A date within the years forms take; a new one not before today (it would be due at
    once: nearly always a typo). A date set earlier stays when the card is saved again."""
    if later_due is None or later_due == card.later_due:
        return
    if not EARLIEST_DAY <= later_due <= LATEST_DAY:
        raise WorkshopError(
            _(
                "Give a date between %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            ),
            code="later_due",
        )
    if later_due < today:
        raise WorkshopError(
            _("The date has passed. Give the day the challenge should come back."),
            code="later_due",
        )


def due_later_cards(course: Course, today: date) -> list[Card]:
    """The challenges put off until a day that has come (later_due <= today), still
    "later" and on the wall: the earliest first. What the control panel, step 6 and the
    facilitator's digest bring back."""
    return list(
        db.session.scalars(
            select(Card)
            .where(
                Card.course_id == course.id,
                Card.priority == "later",
                Card.later_due.is_not(None),
                Card.later_due <= today,
                Card.hidden.is_(False),
                Card.merged_into_id.is_(None),
            )
            .order_by(Card.later_due, Card.id)
        )
    )


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
        # A course that does not ask about departments shows the origins it always did.
        if key != OTHER_DEPARTMENT or cards.get(key) or departments_offered(course)
    ]
    groups = {
        group: (
            sum(cards.get(o, 0) for o in origins),
            sum(votes.get(o, 0) for o in origins),
        )
        for group, origins in ORIGIN_GROUPS.items()
    }
    return OriginOverview(rows, groups)


def open_challenge_conditions(course: Course) -> tuple[ColumnElement[bool], ...]:
    """Which of the course's cards are its challenges: prioritised, shown, not merged (step 3
    develops solutions to these)."""
    return (
        Card.course_id == course.id,
        Card.priority == "prioritised",
        Card.hidden.is_(False),
        Card.merged_into_id.is_(None),
    )


def prioritised_cards(course: Course) -> list[Card]:
    """The challenges the group prioritised, with the requirements they are linked to."""
    return list(
        db.session.scalars(
            select(Card)
            .where(*open_challenge_conditions(course))
            .options(
                selectinload(Card.links).selectinload(CardRequirement.requirement),
                selectinload(Card.department_links).selectinload(CardDepartment.department),
            )
            .order_by(Card.id)
        )
    )


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    retired: bool
    cards: int  # cards that involve the department (its rule named or not)
    named: int  # of those, the cards whose origin is its rule or practice
    votes: int


@dataclass(frozen=True)
class DepartmentOverview:
    rows: list[DepartmentRow]

    @property
    def max_cards(self) -> int:
        return max((row.cards for row in self.rows), default=0)

    @property
    def max_votes(self) -> int:
        return max((row.votes for row in self.rows), default=0)


def department_overview(course: Course) -> DepartmentOverview | None:
    """Which departments' rules cause most bøvl: per department, the cards that involve it,
    those whose origin names its rule, and their dots. None for a course that does not ask
    about departments and has no card naming one (it looks as it always did)."""
    visible = (Card.course_id == course.id, Card.hidden.is_(False), Card.merged_into_id.is_(None))
    counted = db.session.execute(
        select(
            CardDepartment.department_id,
            func.count(),
            func.coalesce(func.sum(case((CardDepartment.names_origin.is_(True), 1), else_=0)), 0),
        )
        .join(Card, Card.id == CardDepartment.card_id)
        .where(*visible)
        .group_by(CardDepartment.department_id)
    ).all()
    if not counted and not departments_offered(course):
        return None
    votes = dict(
        db.session.execute(
            select(CardDepartment.department_id, func.coalesce(func.sum(Vote.dots), 0))
            .join(Card, Card.id == CardDepartment.card_id)
            .join(Vote, Vote.card_id == Card.id)
            .where(*visible)
            .group_by(CardDepartment.department_id)
        ).all()
    )
    departments = {d.id: d for d in course.organisation.departments}
    rows = [
        DepartmentRow(
            departments[department_id].name,
            departments[department_id].retired_at is not None,
            cards,
            named,
            votes.get(department_id, 0),
        )
        for department_id, cards, named in counted
        if department_id in departments
    ]
    # Most bøvl first: the cards that name a department's rule weigh most, then all its
    # cards; a tie in the organisation's own order of its departments.
    place = {d.name: n for n, d in enumerate(course.organisation.departments)}
    rows.sort(key=lambda row: (-row.named, -row.cards, place[row.name]))
    return DepartmentOverview(rows)
