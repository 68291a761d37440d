"""The citizen's path (borgerforløb, step 2): one composite, anonymised citizen's way through
the departments, touchpoint by touchpoint.

Phones add touchpoints while the facilitator has the path open; the facilitator orders,
edits, merges and hides them, and turns any of them into a card with one tap (the rule
behind it comes along as the card's link). `duplicates` finds what the path is drawn to
show: the plans, meetings and consents the citizen meets more than once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workshop.catalogue import requirement_by_key
from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Department, Participant, Touchpoint
from workshop.core.text import clean_text, tidy
from workshop.core.vocabulary import (
    DUPLICABLE_KINDS,
    TOUCHPOINT_KINDS,
    TOUCHPOINT_MAX_LENGTH,
    TOUCHPOINT_MAX_MINUTES,
    StepNumber,
)
from workshop.courses import touch
from workshop.examination import check_can_link, link_requirement
from workshop.redaction import redact_touchpoint_everywhere
from workshop.submissions import already_submitted, save_once

PLACE_MAX = 120


# --- Checks ------------------------------------------------------------------------------


def _check_kind(kind: str) -> str:
    if kind not in TOUCHPOINT_KINDS:
        raise WorkshopError(_("Choose what kind of touchpoint it is."), code="kind")
    return kind


def _check_minutes(value: int | None, code: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or not 0 <= value <= TOUCHPOINT_MAX_MINUTES:
        raise WorkshopError(_("Give the time in whole minutes, from 0 up to a year."), code=code)
    return value


# How a phone may give the citizen's time: a meeting in minutes, a waiting time in days.
TIME_UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def _typed_whole_number(raw: str | None) -> int | None:
    """A plain number typed in a form (ASCII digits, at most 18 of them), else None: "²" and
    a thousand nines are not numbers to Python's int() without an exception."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def typed_minutes(raw: str | None, code: str, unit: str | None = "minutes") -> int | None:
    """A typed time ("1,5" hours) as whole minutes, None when empty; refused with `code`.
    An unknown unit counts as minutes."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        minutes = round(float(raw) * TIME_UNIT_MINUTES.get(unit or "", 1))
    except (ValueError, OverflowError):  # "mange", "nan", "inf"
        raise WorkshopError(_("Give the time as a number."), code=code) from None
    return _check_minutes(minutes, code)


def typed_department_id(raw: str | None) -> int | None:
    """The department chosen in a form, None for none; whether it is one of the course's
    is checked where the touchpoint is saved."""
    if not (raw or "").strip():
        return None
    department_id = _typed_whole_number(raw)
    if department_id is None:
        raise WorkshopError(_("Choose one of the departments shown."), code="department")
    return department_id


def typed_touchpoint_id(raw: str | None) -> int | None:
    """A touchpoint chosen in a form (merge with), None when it is not an id."""
    return _typed_whole_number(raw)


def typed_page(raw: str | None) -> int:
    """The page of the path asked for (a button's value); the first when it is no number."""
    return _typed_whole_number(raw) or 1


def typed_position(raw: str | None) -> int:
    """The place typed for a touchpoint on the path (1 is first)."""
    position = _typed_whole_number(raw)
    if position is None:
        raise WorkshopError(_("Give the place as a number."), code="position")
    return position


def offered_departments(course: Course) -> list[Department]:
    """The departments a touchpoint may lie in: the organisation's, retired ones left out."""
    return list(
        db.session.scalars(
            select(Department)
            .where(
                Department.organisation_id == course.organisation_id,
                Department.retired_at.is_(None),
            )
            .order_by(Department.position, Department.id)
        )
    )


def _check_department(course: Course, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = (
        db.session.get(Department, department_id)
        if isinstance(department_id, int) and 0 < department_id < 2**63
        else None
    )
    if department is None or department.organisation_id != course.organisation_id:
        raise WorkshopError(_("Choose one of the departments shown."), code="department")
    return department


def _check_place(place: str) -> str:
    place = tidy(place)
    if len(place) > PLACE_MAX:
        raise WorkshopError(
            _("Say where in at most %(max)s characters.", max=PLACE_MAX), code="place"
        )
    return place


def _next_position(course: Course) -> int:
    highest = db.session.scalar(
        select(func.max(Touchpoint.position)).where(Touchpoint.course_id == course.id)
    )
    return (highest or 0) + 1


# --- Phones ------------------------------------------------------------------------------


def add_touchpoint(
    participant: Participant,
    kind: str,
    text: str,
    *,
    client_token: str,
    department_id: int | None = None,
    place: str = "",
    citizen_minutes: int | None = None,
    staff_minutes: int | None = None,
    allow_cpr_like: bool = False,
) -> Touchpoint:
    """A phone adds a touchpoint at the end of the path; a resubmitted form (same token)
    returns the touchpoint it already made."""
    course = lock_row(participant.course)
    existing = already_submitted(Touchpoint, participant.id, client_token)
    if existing is not None:
        return existing
    if (
        course.current_step != StepNumber.CHALLENGES
        or course.voting_state != "collect"
        or not course.path_open
    ):
        raise WorkshopError(_("The citizen's path is not being mapped right now."), code="closed")
    kind = _check_kind(kind)
    department = _check_department(course, department_id)
    text = clean_text(text, max_length=TOUCHPOINT_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    touchpoint = Touchpoint(
        course_id=course.id,
        participant_id=participant.id,
        kind=kind,
        text=text,
        department=department,
        place="" if department is not None else _check_place(place),
        citizen_minutes=_check_minutes(citizen_minutes, "citizen_minutes"),
        staff_minutes=_check_minutes(staff_minutes, "staff_minutes"),
        position=_next_position(course),
        client_token=client_token,
    )
    participant.revision = Participant.revision + 1
    # The path is on the projector and the control panel; phones show only their own.
    return save_once(touchpoint, course, phones_see_it=False)


def touchpoints_of(participant: Participant) -> list[Touchpoint]:
    return list(
        db.session.scalars(
            select(Touchpoint)
            .where(Touchpoint.participant_id == participant.id)
            .order_by(Touchpoint.id.desc())
        )
    )


# --- Reading the path --------------------------------------------------------------------


def path_of(course: Course, *, include_hidden: bool = False) -> list[Touchpoint]:
    """The path in its order, merged touchpoints under the one they were merged into."""
    query = (
        select(Touchpoint)
        .where(Touchpoint.course_id == course.id, Touchpoint.merged_into_id.is_(None))
        .options(
            selectinload(Touchpoint.merged_touchpoints),
            selectinload(Touchpoint.department),
            selectinload(Touchpoint.requirement),
        )
        .order_by(Touchpoint.position, Touchpoint.id)
    )
    if not include_hidden:
        query = query.where(Touchpoint.hidden.is_(False))
    return list(db.session.scalars(query))


def touchpoint_in_course(course: Course, touchpoint_id: int | None) -> Touchpoint | None:
    if not isinstance(touchpoint_id, int) or not 0 < touchpoint_id < 2**63:
        return None
    touchpoint = db.session.get(Touchpoint, touchpoint_id)
    return touchpoint if touchpoint is not None and touchpoint.course_id == course.id else None


def lane_of(touchpoint: Touchpoint) -> tuple[str, str]:
    """Which lane a touchpoint lies in: its department, its free "where", or neither."""
    if touchpoint.department_id is not None and touchpoint.department is not None:
        return (f"d{touchpoint.department_id}", touchpoint.department.name)
    if touchpoint.place:
        return (f"p{touchpoint.place.casefold()}", touchpoint.place)
    return ("", _("Elsewhere"))


@dataclass(frozen=True)
class Duplicate:
    """Why a touchpoint is flagged: its kind recurs `count` times on the path, in
    `lanes` different lanes (departments)."""

    kind: str
    count: int
    lanes: int

    @property
    def across_departments(self) -> bool:
        return self.lanes > 1


def duplicates(items: Iterable[tuple[int, str, str]]) -> dict[int, Duplicate]:
    """The duplicated plans, meetings and consents of a path: `items` are (id, kind, lane)
    of the visible touchpoints; every plan, meeting or consent whose kind occurs twice or
    more (in two departments, or repeated in one) is flagged. Other kinds never are: two
    waiting times or two referrals are how paths go, not the same thing asked for twice."""
    items = list(items)
    by_kind: dict[str, list[tuple[int, str]]] = {}
    for touchpoint_id, kind, lane in items:
        if kind in DUPLICABLE_KINDS:
            by_kind.setdefault(kind, []).append((touchpoint_id, lane))
    flagged = {}
    for kind, members in by_kind.items():
        if len(members) < 2:
            continue
        reason = Duplicate(kind, len(members), len({lane for _id, lane in members}))
        for touchpoint_id, _lane in members:
            flagged[touchpoint_id] = reason
    return flagged


def path_duplicates(path: list[Touchpoint]) -> dict[int, Duplicate]:
    return duplicates((t.id, t.kind, lane_of(t)[0]) for t in path if not t.hidden)


# --- The facilitator ---------------------------------------------------------------------


def open_path(course: Course, is_open: bool) -> Course:
    """Phones add touchpoints (and the projector draws the path) while it is open."""
    course.path_open = bool(is_open)
    touch(course)
    db.session.commit()
    return course


def show_path_page(course: Course, page: int, pages: int) -> Course:
    """The page of a long path the projector shows, 1 to `pages` (the chart's count)."""
    page = min(max(1, page), max(1, pages))
    if course.path_page != page:
        course.path_page = page
        touch(course)
    db.session.commit()
    return course


def move_touchpoint(touchpoint: Touchpoint, to_position: int) -> Touchpoint:
    """Put a touchpoint at `to_position` (1 is first) on the path; the others close up."""
    course = db.session.get(Course, touchpoint.course_id)
    path = [t for t in path_of(course, include_hidden=True) if t.id != touchpoint.id]
    index = max(0, min(int(to_position) - 1, len(path)))
    path.insert(index, touchpoint)
    for number, each in enumerate(path, start=1):
        each.position = number
    touch(course)
    db.session.commit()
    return touchpoint


def step_touchpoint(touchpoint: Touchpoint, direction: str) -> Touchpoint:
    """One place earlier ("up") or later ("down") on the path."""
    if direction not in ("up", "down"):
        raise WorkshopError(_("Move it up or down."), code="direction")
    course = db.session.get(Course, touchpoint.course_id)
    path = path_of(course, include_hidden=True)
    current = next(i for i, t in enumerate(path) if t.id == touchpoint.id) + 1
    return move_touchpoint(touchpoint, current - 1 if direction == "up" else current + 1)


def edit_touchpoint(
    touchpoint: Touchpoint,
    *,
    kind: str,
    text: str,
    department_id: int | None,
    place: str,
    citizen_minutes: int | None,
    staff_minutes: int | None,
    requirement_key: str = "",
) -> Touchpoint:
    """The facilitator rewords a touchpoint and says where it lies, what it costs and
    which rule is behind it (a catalogue key: "X03", "L12"; empty for none)."""
    course = db.session.get(Course, touchpoint.course_id)
    kind = _check_kind(kind)
    department = _check_department(course, department_id)
    text = clean_text(text, max_length=TOUCHPOINT_MAX_LENGTH, allow_cpr_like=True)
    place = "" if department is not None else _check_place(place)
    citizen = _check_minutes(citizen_minutes, "citizen_minutes")
    staff = _check_minutes(staff_minutes, "staff_minutes")
    requirement = _rule_behind(course, requirement_key)
    touchpoint.kind, touchpoint.text, touchpoint.department = kind, text, department
    touchpoint.place, touchpoint.citizen_minutes, touchpoint.staff_minutes = place, citizen, staff
    touchpoint.requirement = requirement
    touch(course)
    db.session.commit()
    return touchpoint


def _rule_behind(course: Course, requirement_key: str):
    """The catalogue entry behind a touchpoint by its key ("X03", "L12"), None for none; one
    that is not law is refused, as a card's link refuses it (the touchpoint may become a
    card, and the rule its link)."""
    key = tidy(requirement_key).upper()
    if not key:
        return None
    requirement = requirement_by_key(key, course.facilitator_id)
    if requirement is None:
        raise WorkshopError(
            _("There is no requirement %(key)s in the catalogue.", key=key[:20]),
            code="requirement",
        )
    try:
        check_can_link(requirement)
    except WorkshopError as refused:
        raise WorkshopError(refused.message, code="requirement") from None
    return requirement


def merge_touchpoints(one: Touchpoint, other: Touchpoint | None) -> Touchpoint:
    """Two phones wrote the same touchpoint: the earlier on the path stays, the other goes
    under it. Minutes are not added up (it is one meeting, seen twice): the one that stays
    keeps its own, and takes the other's where it has none; so does the rule behind it. A
    card stays with the touchpoint whose words it holds, so a redaction of either reaches
    the other.
    `other` is None when none of the course's touchpoints was chosen."""
    if other is None or one.id == other.id:
        raise WorkshopError(_("Choose another touchpoint to merge with."), code="target")
    if one.course_id != other.course_id:
        raise WorkshopError(_("Choose another touchpoint to merge with."), code="target")
    if one.merged_into_id is not None or other.merged_into_id is not None:
        raise WorkshopError(_("That touchpoint is merged already."), code="merged")
    keep, fold = sorted((one, other), key=lambda t: (t.position, t.id))
    if keep.citizen_minutes is None:
        keep.citizen_minutes = fold.citizen_minutes
    if keep.staff_minutes is None:
        keep.staff_minutes = fold.staff_minutes
    if keep.requirement_id is None:
        keep.requirement_id = fold.requirement_id
    for child in list(fold.merged_touchpoints):
        child.merged_into = keep
    fold.merged_into = keep
    keep.hidden = keep.hidden and fold.hidden
    touch(db.session.get(Course, keep.course_id))
    db.session.commit()
    return keep


def unmerge_touchpoint(touchpoint: Touchpoint) -> Touchpoint:
    touchpoint.merged_into = None
    touch(db.session.get(Course, touchpoint.course_id))
    db.session.commit()
    return touchpoint


def set_touchpoint_hidden(touchpoint: Touchpoint, hidden: bool) -> Touchpoint:
    touchpoint.hidden = bool(hidden)
    touch(db.session.get(Course, touchpoint.course_id))
    db.session.commit()
    return touchpoint


def touchpoint_to_card(touchpoint: Touchpoint) -> Card:
    """One tap: the touchpoint becomes a card with its words, and the rule behind it as the
    card's link. The touchpoint stays on the path and remembers its card."""
    course = lock_row(db.session.get(Course, touchpoint.course_id))
    if touchpoint.card_id is not None or any(
        merged.card_id is not None for merged in touchpoint.merged_touchpoints
    ):
        raise WorkshopError(_("This touchpoint is a card already."), code="card")
    if touchpoint.requirement is not None:
        check_can_link(touchpoint.requirement)  # before the card: nothing half made
    if course.voting_state != "collect":
        raise WorkshopError(_("Touchpoints become cards while cards are collected."), code="voting")
    card = Card(
        course=course,
        # Its author's words: their "delete my data" reaches the card too (workshop.privacy).
        participant_id=touchpoint.participant_id,
        text=touchpoint.text,
        original_text=touchpoint.text,
        client_token=f"touchpoint-{touchpoint.id}",
    )
    db.session.add(card)
    touchpoint.card = card
    touch(course)
    db.session.commit()
    if touchpoint.requirement is not None:
        link_requirement(card, touchpoint.requirement.key)  # commits, with the version
    return card


def redact_touchpoint(touchpoint: Touchpoint) -> Touchpoint:
    """A citizen's name or CPR number slipped onto the path: the words go from the
    touchpoint, those merged into it and the card it became (workshop.redaction)."""
    redact_touchpoint_everywhere(touchpoint)
    db.session.commit()
    return touchpoint


def path_totals(path: list[Touchpoint]) -> tuple[int, int]:
    """The minutes the visible path costs the citizen and the staff, where they were given."""
    visible = [t for t in path if not t.hidden]
    return (
        sum(t.citizen_minutes or 0 for t in visible),
        sum(t.staff_minutes or 0 for t in visible),
    )


def place_touchpoint(
    course: Course,
    kind: str,
    text: str,
    *,
    participant: Participant | None = None,
    department_id: int | None = None,
    place: str = "",
    citizen_minutes: int | None = None,
    staff_minutes: int | None = None,
    requirement_key: str = "",
) -> Touchpoint:
    """A touchpoint written down by the facilitator (what was said aloud, or the demo's
    path), at the end of the path, whether or not the phones are mapping it now. A
    CPR-like number is refused: the facilitator rewords it (no phone's "it is not one")."""
    department = _check_department(course, department_id)
    requirement = _rule_behind(course, requirement_key)
    touchpoint = Touchpoint(
        course_id=course.id,
        participant_id=participant.id if participant else None,
        kind=_check_kind(kind),
        text=clean_text(text, max_length=TOUCHPOINT_MAX_LENGTH),
        department=department,
        place="" if department is not None else _check_place(place),
        citizen_minutes=_check_minutes(citizen_minutes, "citizen_minutes"),
        staff_minutes=_check_minutes(staff_minutes, "staff_minutes"),
        requirement=requirement,
        position=_next_position(course),
        client_token=f"placed-{secrets.token_urlsafe(12)}",
    )
    db.session.add(touchpoint)
    touch(course)
    db.session.commit()
    return touchpoint
