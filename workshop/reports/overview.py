"""The overview across an organisation's courses: which requirements and origins cause most
cards and dots, how much turned out to be habit or a local decision rather than law, which
solution types were chosen and how many actions were implemented.

Plain functions over the database; the view draws them as bars, `overview_csv` writes them
for Excel (exchange.csv's format). Dots count only from courses whose card vote has been
revealed (a running vote stays secret), and the split by role only from courses where
every role group that voted reached the course's minimum group size (as `votes.results`
does for one course): smaller groups are held back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from workshop.catalogue import requirement_label
from workshop.core.clock import day_after, day_start, local_date
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    CardRequirement,
    Course,
    Organisation,
    Participant,
    Requirement,
    Solution,
    Vote,
)
from workshop.core.vocabulary import (
    ACTION_STATUSES,
    ORIGIN_GROUPS,
    ORIGINS,
    OTHER_DEPARTMENT,
    ROLE_GROUPS,
    SOLUTION_KIND_SHORT,
)
from workshop.exchange.csv import csv_bytes
from workshop.splits import POOLED, crossing_is_safe, group_key, group_labels, hold_back

# Actions that were carried out: implemented, or implemented and then adjusted in step 5.
IMPLEMENTED = ("implemented", "adjusted")
TOP_REQUIREMENTS = 10


@dataclass
class Filters:
    """Which of the organisation's courses: one municipality, created within a period."""

    municipality: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class Row:
    """One bar: cards (or solutions, actions) and dots, with the dots split by role."""

    key: str
    label: str
    count: int = 0
    dots: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    chosen: int = 0  # solution types only
    habit: bool = False  # requirements only: repealed or loosened since 2020


@dataclass
class Overview:
    courses: list[Course]
    municipalities: list[str]
    origins: list[Row]
    origin_groups: dict[str, int]
    requirements: list[Row]
    solution_kinds: list[Row]
    actions: list[Row]
    cards: int = 0
    examined: int = 0  # cards whose origin is known
    dots: int = 0
    revealed_courses: int = 0
    split_courses: int = 0  # courses whose dots are split (by role or by department)
    held_back_courses: int = 0  # revealed courses whose split is held back
    split: str = "role"  # workshop.splits: "none", "role" or "department"
    group_labels: dict[str, str] = field(default_factory=dict)  # the split's columns
    habit_cards: int = 0  # cards linked to a requirement repealed or loosened since 2020
    local_rule_cards: int = 0  # cards linked to a local rule
    implemented: int = 0

    @property
    def not_law(self) -> int:
        """Examined cards resting on our own decisions, habits or IT systems."""
        return self.origin_groups.get("local", 0)

    @property
    def max_origin_count(self) -> int:
        return max((row.count for row in self.origins), default=0)

    @property
    def max_origin_dots(self) -> int:
        return max((row.dots for row in self.origins), default=0)

    @property
    def max_requirement_count(self) -> int:
        return max((row.count for row in self.requirements), default=0)

    @property
    def max_requirement_dots(self) -> int:
        return max((row.dots for row in self.requirements), default=0)

    @property
    def max_solution_count(self) -> int:
        return max((row.count for row in self.solution_kinds), default=0)

    @property
    def max_action_count(self) -> int:
        return max((row.count for row in self.actions), default=0)

    @property
    def max_group_dots(self) -> int:
        return max((v for row in self.origins for v in row.by_group.values()), default=0)


def municipalities(organisation: Organisation) -> list[str]:
    names = db.session.scalars(
        select(Course.municipality).where(Course.organisation_id == organisation.id).distinct()
    )
    return sorted(set(names), key=str.casefold)


def _day_start(day: date) -> datetime:
    """Midnight in Denmark, in UTC (SQLite compares the stored UTC text)."""
    return day_start(day)  # see clock.py: no error at the ends of the calendar


def _local_date(moment: datetime) -> date:
    return local_date(moment)  # SQLite's naive UTC, and the ends of the calendar


def organisation_courses(
    organisation: Organisation, filters: Filters | None = None
) -> list[Course]:
    filters = filters or Filters()
    query = select(Course).where(Course.organisation_id == organisation.id)
    if filters.municipality:
        query = query.where(Course.municipality == filters.municipality)
    if filters.since:
        query = query.where(Course.created_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(Course.created_at < _day_start(day_after(filters.until)))
    return list(db.session.scalars(query.order_by(Course.created_at, Course.id)))


def _visible_cards(course_ids: list[int]) -> list[Card]:
    return list(
        db.session.scalars(
            select(Card)
            .where(
                Card.course_id.in_(course_ids),
                Card.hidden.is_(False),
                Card.merged_into_id.is_(None),
            )
            .order_by(Card.id)
        )
    )


def _card_dots(
    courses: list[Course], split: str = "role"
) -> tuple[dict[int, int], dict[int, dict[str, int]], set]:
    """Dots per card from revealed votes, and per group of `split` (by role or by
    department, `workshop.splits`) where the course's split may be shown.

    Returns (dots by card, dots by card and group, ids of courses whose dots are split).
    Each course is held back as `votes.results` holds it back (`splits.hold_back`): a group
    with fewer voters than the course's minimum is never counted on its own; counted with
    others it goes to the group POOLED ("groups counted together"), which adds up whole
    groups of at least the minimum, course by course.
    """
    revealed = {course.id: course for course in courses if course.voting_state == "revealed"}
    if not revealed or split == "none":
        split = "none"
    rows = []
    if revealed:
        rows = db.session.execute(
            select(Vote.course_id, Vote.card_id, Vote.participant_id, Participant.role)
            .add_columns(Participant.department_id, Vote.dots)
            .join(Participant, Participant.id == Vote.participant_id)
            .where(Vote.course_id.in_(list(revealed)), Vote.card_id.is_not(None))
        ).all()
    voters: dict[int, dict[str, set[int]]] = {cid: {} for cid in revealed}
    both: dict[int, dict[int, tuple[str, str]]] = {cid: {} for cid in revealed}
    # A course not (or no longer) across departments is split by role only (votes.results).
    rows = [
        (course_id, card_id, participant_id, role, department, dots)
        if revealed[course_id].across_departments
        else (course_id, card_id, participant_id, role, None, dots)
        for course_id, card_id, participant_id, role, department, dots in rows
    ]
    for course_id, _card_id, participant_id, role, department_id, _dots in rows:
        key = group_key(split, role, department_id)
        if key is not None:
            voters[course_id].setdefault(key, set()).add(participant_id)
        both[course_id][participant_id] = (
            group_key("role", role, department_id),
            group_key("department", role, department_id),
        )
    # Per course: which group each voter's dots are counted in (None: only the total).
    counted: dict[int, dict[str, str]] = {}
    for course_id, groups in voters.items():
        counts = {key: len(people) for key, people in groups.items()}
        course = revealed[course_id]
        shown, pooled = hold_back(counts, course.min_group_size, pool=split == "department")
        # As votes.results: not where the other split beside it would single people out.
        if not crossing_is_safe(both[course_id], course.min_group_size):
            shown = []
        if shown:
            counted[course_id] = {key: key for key in shown} | dict.fromkeys(pooled, POOLED)
    dots: Counter[int] = Counter()
    by_group: dict[int, Counter[str]] = {}
    for course_id, card_id, _participant_id, role, department_id, count in rows:
        dots[card_id] += count
        if course_id in counted:
            key = counted[course_id][group_key(split, role, department_id)]
            by_group.setdefault(card_id, Counter())[key] += count
    return dict(dots), {k: dict(v) for k, v in by_group.items()}, set(counted)


def overview_groups(courses: list[Course], split: str, by_group) -> dict[str, str]:
    """The columns of a split across courses, in order: the role groups (always), or the
    organisation's departments; then any other group that has dots (citizens, the pooled
    groups)."""
    if split == "none":
        return {}
    labels = group_labels(courses[0], split) if courses else {}
    present = {key for groups in by_group.values() for key in groups}
    keep = set(ROLE_GROUPS) | present if split == "role" else present
    columns = {key: label for key, label in labels.items() if key in keep}
    if POOLED in present:
        columns[POOLED] = _("Groups counted together")
    return columns


def build_overview(
    organisation: Organisation, filters: Filters | None = None, split: str = "role"
) -> Overview:
    """The overview; its dots split by role, by department or not at all (`split`, the
    facilitator's choice on the page: one split at a time, never crossed)."""
    courses = organisation_courses(organisation, filters)
    course_ids = [course.id for course in courses]
    cards = _visible_cards(course_ids) if course_ids else []
    split_by = split
    dots, by_group, split = _card_dots(courses, split_by)
    revealed = [course for course in courses if course.voting_state == "revealed"]
    origins = _origin_rows(organisation, cards, dots, by_group)
    groups = {
        name: sum(origins[key].count for key in keys if key in origins)
        for name, keys in ORIGIN_GROUPS.items()
    }
    requirements, habit_cards, local_cards = _requirement_rows(cards, dots)
    top = sorted(requirements.values(), key=lambda r: (-r.count, -r.dots, r.key))
    kinds = _solution_kind_rows(course_ids)
    statuses = _action_status_rows(course_ids)
    return Overview(
        courses=courses,
        municipalities=municipalities(organisation),
        origins=list(origins.values()),
        origin_groups=groups,
        requirements=top[:TOP_REQUIREMENTS],
        solution_kinds=list(kinds.values()),
        actions=list(statuses.values()),
        cards=len(cards),
        examined=len(cards) - groups.get("unknown", 0),
        dots=sum(dots.get(card.id, 0) for card in cards),
        revealed_courses=len(revealed),
        split_courses=len(split),
        held_back_courses=len(revealed) - len(split) if split_by != "none" else 0,
        split=split_by,
        group_labels=overview_groups(courses, split_by, by_group),
        habit_cards=len(habit_cards),
        local_rule_cards=len(local_cards),
        implemented=sum(statuses[key].count for key in IMPLEMENTED),
    )


def _origin_rows(organisation: Organisation, cards: list[Card], dots, by_group) -> dict[str, Row]:
    """Cards and dots per origin, every known origin listed even without cards."""
    origins = {key: Row(key, str(label)) for key, label in ORIGINS.items()}
    for card in cards:
        row = origins.setdefault(card.origin, Row(card.origin, card.origin))
        row.count += 1
        row.dots += dots.get(card.id, 0)
        for group, count in by_group.get(card.id, {}).items():
            row.by_group[group] = row.by_group.get(group, 0) + count
    if not origins[OTHER_DEPARTMENT].count and not any(
        course.across_departments for course in organisation.courses
    ):
        # An organisation without a course across departments sees the origins it always did.
        del origins[OTHER_DEPARTMENT]
    return origins


def _requirement_rows(cards: list[Card], dots) -> tuple[dict[int, Row], set[int], set[int]]:
    """Cards and dots per linked requirement, and which cards link to a possible habit
    and which to a local rule."""
    requirements: dict[int, Row] = {}
    habit_cards: set[int] = set()
    local_cards: set[int] = set()
    card_ids = {card.id for card in cards}
    if not card_ids:
        return requirements, habit_cards, local_cards
    links = db.session.execute(
        select(CardRequirement.card_id, Requirement)
        .join(Requirement, Requirement.id == CardRequirement.requirement_id)
        .where(CardRequirement.card_id.in_(card_ids))
    ).all()
    for card_id, requirement in links:
        row = requirements.get(requirement.id)
        if row is None:
            row = requirements[requirement.id] = Row(
                requirement.key, requirement_label(requirement), habit=requirement.may_be_habit
            )
        row.count += 1
        row.dots += dots.get(card_id, 0)
        if requirement.may_be_habit:
            habit_cards.add(card_id)
        if requirement.is_local:
            local_cards.add(card_id)
    return requirements, habit_cards, local_cards


def _solution_kind_rows(course_ids: list[int]) -> dict[str, Row]:
    """Visible solutions per kind, and how many of each were chosen."""
    kinds = {key: Row(key, str(label)) for key, label in SOLUTION_KIND_SHORT.items()}
    if not course_ids:
        return kinds
    for kind, chosen in db.session.execute(
        select(Solution.kind, Solution.chosen).where(
            Solution.course_id.in_(course_ids), Solution.hidden.is_(False)
        )
    ):
        row = kinds.setdefault(kind, Row(kind, kind))
        row.count += 1
        row.chosen += 1 if chosen else 0
    return kinds


def _action_status_rows(course_ids: list[int]) -> dict[str, Row]:
    """Actions per status, every known status listed even without actions."""
    statuses = {key: Row(key, str(label)) for key, label in ACTION_STATUSES.items()}
    if not course_ids:
        return statuses
    for (status,) in db.session.execute(
        select(Action.status).where(Action.course_id.in_(course_ids))
    ):
        statuses.setdefault(status, Row(status, status)).count += 1
    return statuses


def course_rows(courses: list[Course], split: str = "role") -> list[dict]:
    """One line per course, for the CSV: the same figures as the overview, course by course."""
    return [_one_course(course, split) for course in courses]


def _one_course(course: Course, split_by: str = "role") -> dict:
    cards = _visible_cards([course.id])
    dots, by_group, split = _card_dots([course], split_by)
    origins = Counter(card.origin for card in cards)
    groups = {
        name: sum(origins.get(key, 0) for key in keys) for name, keys in ORIGIN_GROUPS.items()
    }
    card_ids = [card.id for card in cards]
    habit = set()
    if card_ids:
        habit = {
            card_id
            for card_id, requirement in db.session.execute(
                select(CardRequirement.card_id, Requirement)
                .join(Requirement, Requirement.id == CardRequirement.requirement_id)
                .where(CardRequirement.card_id.in_(card_ids))
            )
            if requirement.may_be_habit
        }
    chosen = Counter(
        db.session.scalars(
            select(Solution.kind).where(
                Solution.course_id == course.id,
                Solution.chosen.is_(True),
                Solution.hidden.is_(False),
            )
        )
    )
    actions = Counter(
        db.session.scalars(select(Action.status).where(Action.course_id == course.id))
    )
    revealed = course.voting_state == "revealed"
    group_dots = Counter()
    for card_id in card_ids:
        for group, count in by_group.get(card_id, {}).items():
            group_dots[group] += count
    return {
        "course": course,
        "cards": len(cards),
        "origins": origins,
        "groups": groups,
        "habit": len(habit),
        "dots": sum(dots.get(card_id, 0) for card_id in card_ids) if revealed else None,
        "group_dots": dict(group_dots) if course.id in split else None,
        "chosen": chosen,
        "actions": actions,
    }


def overview_csv(courses: list[Course], split: str = "role") -> bytes:
    """One row per course: origins, habit, dots (split by role or by department where
    shown), solution types chosen, actions by status. A dot count is empty until the
    course's vote is revealed; a split is empty where it is held back."""
    rows_by_course = course_rows(courses, split)
    columns = overview_groups(
        courses, split, {row["course"].id: row["group_dots"] or {} for row in rows_by_course}
    )
    header = [
        _("Course"),
        _("Municipality"),
        _("Unit"),
        _("Created"),
        _("Step"),
        _("Cards"),
        *(str(label) for label in ORIGINS.values()),
        _("Cards on law or executive orders"),
        _("Cards on our own decisions, habits or IT"),
        _("Cards linked to a requirement repealed or loosened since 2020"),
        _("Dots"),
        *(
            _("Dots from %(group)s", group=label.lower() if split == "role" else label)
            for label in columns.values()
        ),
        *(_("Chosen: %(kind)s", kind=str(label)) for label in SOLUTION_KIND_SHORT.values()),
        *(_("Actions: %(status)s", status=str(label)) for label in ACTION_STATUSES.values()),
    ]
    rows = []
    for row in rows_by_course:
        course = row["course"]
        group_dots = row["group_dots"]
        rows.append(
            [
                course.title,
                course.municipality,
                course.unit,
                _local_date(course.created_at),
                course.current_step,
                row["cards"],
                *(row["origins"].get(key, 0) for key in ORIGINS),
                row["groups"]["state"],
                row["groups"]["local"],
                row["habit"],
                "" if row["dots"] is None else row["dots"],
                *("" if group_dots is None else group_dots.get(key, 0) for key in columns),
                *(row["chosen"].get(key, 0) for key in SOLUTION_KIND_SHORT),
                *(row["actions"].get(key, 0) for key in ACTION_STATUSES),
            ]
        )
    return csv_bytes(header, rows)
