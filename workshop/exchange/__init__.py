"""Courses leaving the app and coming back: CSV for Excel, and a full JSON export/import.

CSV files are made for Danish Excel: UTF-8 with a BOM (so Excel reads æ, ø and å as
UTF-8), semicolons between fields (Danish Excel's list separator, because the comma is the
decimal mark), CRLF line ends, decimal commas, ISO dates (yyyy-mm-dd, which Excel reads as
dates and which sort as text). Text from participants that Excel could take for a formula
gets a leading apostrophe.

The JSON file is a faithful copy of one course — everything but the timer and the manager
links (their tokens are secrets) — with the catalogue entries its cards link to and every
version of them. Votes are the exception: they are anonymous towards everyone, the
facilitator who downloads the file included, so the file holds each vote's result as the
screen shows it once revealed (format 2), never whose dots they were. Records refer to
each other by numbers local to the file, so an import gives them new ids. An import is
checked completely before anything is written (its texts tidied as a form's are), and is
written in one transaction: a refused file writes nothing.
"""

from __future__ import annotations

import csv
import heapq
import io
import itertools
import json
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workshop.catalogue import (
    LOCAL_NAME_MAX,
    LOCAL_TEXT_MAX,
    ensure_catalogue_loaded,
    has_law_catalogue,
)
from workshop.core.clock import EARLIEST_DAY, LATEST_DAY, as_utc, danish_time, local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    CardRequirement,
    Course,
    DialogueAnswer,
    Facilitator,
    Lesson,
    Measure,
    MeasureEntry,
    Participant,
    Requirement,
    RequirementVersion,
    Solution,
    StateFeedback,
    Vote,
)
from workshop.core.text import slugify, tidy
from workshop.core.vocabulary import (
    ACTION_STATUSES,
    ANSWER_MAX_LENGTH,
    BARRIERS,
    CARD_CATEGORIES,
    CARD_MAX_LENGTH,
    CONFIDENCE,
    EFFORT,
    LESSON_KINDS,
    LIKELIHOOD,
    LOCAL_RULE_KINDS,
    NEXT_STEP_KINDS,
    ORIGINS,
    PERIODS,
    PRIORITY_STATUSES,
    REQUIREMENT_STATUSES,
    ROLE_GROUPS,
    ROLES,
    SOLUTION_KINDS,
    SOLUTION_MAX_LENGTH,
    role_group,
)
from workshop.courses import new_join_code
from workshop.state_feedback import TEXT_MAX as FEEDBACK_TEXT_MAX
from workshop.state_feedback import TRIAL_OPTIONS
from workshop.votes import CARDS, SOLUTIONS, VOTING_STATES, Ballot, results

FORMAT_NAME = "samskabt-course"
# 2: votes as the revealed result (totals per item, the role split only where the screen
# shows it), no longer every participant's dots; a file of version 1 still imports.
FORMAT_VERSION = 2
IMPORT_MAX_BYTES = 20 * 1024 * 1024

# Text columns without a limit of their own in the domain (course texts, law descriptions)
# still get one: a file is data from outside.
LONG_TEXT = 100_000
# The domain's limits (workshop.actions, examination, learning, measures, solutions).
ACTION_TEXT_MAX = 2000
ACTION_NOTE_MAX = 1000
TITLE_MAX = 500
EXAMINE_TEXT_MAX = 2000
LESSON_MAX = 2000
ENTRY_NOTE_MAX = 500
EVIDENCE_MAX = 1000
VALUE_LIMIT = 1_000_000_000
_LOCAL_KEY = re.compile(r"L\d+")
# Dates a file may hold. Timestamps record what happened in the app (made in 2026); days
# are plans and decisions (a local rule decided decades ago, a pilot years ahead). Far
# outside, a date is a damaged or a hostile file, and near year 1 or 9999 it could not even
# be shown in Danish time.
MOMENT_RANGE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 59, tzinfo=UTC))
DAY_RANGE = (EARLIEST_DAY, LATEST_DAY)  # as the forms (workshop.web.forms.day_field)


# --------------------------------------------------------------------------------------
# CSV for Danish Excel
# --------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Number:
    """A figure we formatted ourselves: never text from a person, so never guarded."""

    def __init__(self, text: str) -> None:
        self.text = text


def danish_number(value: float | int | None) -> str:
    """12.5 -> '12,5', 3.0 -> '3', no thousands separators, never '1e-05'."""
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f").replace(".", ",")


def safe_cell(text: str) -> str:
    """Text that Excel could run as a formula gets a leading apostrophe (OWASP's advice)."""
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return danish_number(value)
    if isinstance(value, datetime):
        return _local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(str(value))


def _local_time(moment: datetime) -> str:
    """A timestamp in Danish time, as Excel reads it: 2026-11-23 15:38."""
    return danish_time(moment).strftime("%Y-%m-%d %H:%M")


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, semicolons, CRLF: a file Danish Excel opens with æøå intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(str(name)) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _requirement_label(requirement: Requirement) -> str:
    """'LAB § 31, stk. 1 (R05)', or a local rule by its name: 'Local rule: … (L12)'."""
    if requirement.is_local:
        return _("Local rule: %(name)s (%(key)s)", name=requirement.name_da, key=requirement.key)
    where = requirement.citation
    return f"{where} ({requirement.key})" if where else f"{requirement.name_da} ({requirement.key})"


def _course_cards(course: Course) -> list[Card]:
    query = select(Card).where(Card.course_id == course.id).order_by(Card.id)
    return list(db.session.scalars(query))


def cards_csv(course: Course) -> bytes:
    """Every card, hidden and merged ones too: nobody's input disappears from the export.

    Dots appear only once the vote is revealed, and the split by role only where the
    result shows it (`votes.results` holds back a group with too few voters).
    """
    revealed = results(course, CARDS)
    rows_by_card = {row.item.id: row for row in revealed.rows} if revealed else {}
    shown_groups = [g for g in revealed.groups if g.shown] if revealed else []
    cards = _course_cards(course)
    number = {card.id: n for n, card in enumerate(cards, 1)}
    header = [
        _("No."),
        _("Card"),
        _("Original text"),
        _("Author's role"),
        _("Author's unit"),
        _("Author's name"),
        _("Category"),
        _("Where the rule comes from"),
        _("The real problem"),
        _("Who else has a stake"),
        _("Status"),
        _("Later: when"),
        _("Outside the frame: why"),
        _("Dots"),
        *(_("Dots: %(group)s", group=group.label) for group in shown_groups),
        _("Linked requirements"),
        _("Merged into no."),
        _("Hidden"),
        _("Written"),
    ]

    def row(card: Card) -> list:
        author = card.participant
        result = rows_by_card.get(card.id)
        return [
            number[card.id],
            card.text,
            card.original_text,
            str(ROLES.get(author.role, author.role)) if author else "",
            author.unit if author else "",
            author.name if author else "",
            str(CARD_CATEGORIES.get(card.category, card.category)),
            str(ORIGINS.get(card.origin, card.origin)),
            card.problem,
            card.stakeholders,
            str(PRIORITY_STATUSES.get(card.priority, card.priority)),
            card.later_when,
            card.out_of_scope_reason,
            result.total if result else None,
            *((result.by_group.get(group.key, 0) if result else None) for group in shown_groups),
            ", ".join(_requirement_label(link.requirement) for link in card.links),
            number.get(card.merged_into_id),
            card.hidden,
            card.created_at,
        ]

    return csv_bytes(header, (row(card) for card in cards))


def _barrier_text(barriers: dict) -> str:
    parts = []
    for kind, label in BARRIERS.items():
        entry = (barriers or {}).get(kind)
        if entry:
            note = entry.get("note") or ""
            parts.append(f"{label}: {note}" if note else str(label))
    return "; ".join(parts)


def actions_csv(course: Course) -> bytes:
    """The action plan, one row per action, as a manager would filter it in Excel."""
    actions = db.session.scalars(
        select(Action).where(Action.course_id == course.id).order_by(Action.id)
    ).all()
    header = [
        _("No."),
        _("Action"),
        _("Solution"),
        _("Challenge"),
        _("Owner"),
        _("Who does what"),
        _("Start date"),
        _("First step"),
        _("Test unit"),
        _("Test from"),
        _("Test to"),
        _("Barriers"),
        _("Communication"),
        _("Signs of success"),
        _("Watched by"),
        _("Status"),
        _("Why dropped"),
        _("Last update"),
    ]
    rows = (
        [
            n,
            action.title,
            action.solution.text if action.solution else "",
            action.solution.card.text if action.solution else "",
            action.owner_label,
            action.who_does_what,
            action.start_date,
            action.first_step,
            action.pilot_unit,
            action.pilot_from,
            action.pilot_to,
            _barrier_text(action.barriers),
            action.communication,
            action.success_signs,
            action.watched_by,
            str(ACTION_STATUSES.get(action.status, action.status)),
            action.dropped_reason,
            action.updated_at,
        ]
        for n, action in enumerate(actions, 1)
    )
    return csv_bytes(header, rows)


def entries_csv(course: Course) -> bytes:
    """Every logged value of every measure: the raw figures behind before and after."""
    entries = db.session.execute(
        select(MeasureEntry, Measure, Action)
        .join(Measure, MeasureEntry.measure_id == Measure.id)
        .join(Action, Measure.action_id == Action.id)
        .where(Action.course_id == course.id)
        .order_by(Action.id, Measure.id, MeasureEntry.entry_date, MeasureEntry.id)
    ).all()
    header = [
        _("Action"),
        _("Measure"),
        _("Unit"),
        _("Period"),
        _("Date"),
        _("Value"),
        _("Note"),
        _("Logged by"),
    ]

    def period(measure: Measure, entry: MeasureEntry) -> str:
        key = measure.period_of(entry.entry_date)
        return str(PERIODS[key]) if key else _("Outside both periods")

    rows = (
        [
            action.title,
            measure.what,
            measure.unit,
            period(measure, entry),
            entry.entry_date,
            _Number(danish_number(entry.value)),
            entry.note,
            entry.participant.label if entry.participant else "",
        ]
        for entry, measure, action in entries
    )
    return csv_bytes(header, rows)


def ascii_filename(course: Course, what: str, extension: str) -> str:
    """'mindre-boevl-i-jobcentret-kort-2026-11-23.csv': safe in any Content-Disposition."""
    slug = slugify(course.title, 50) or "course"
    return f"{slug}-{slugify(what) or 'export'}-{local_today().isoformat()}.{extension}"


# --------------------------------------------------------------------------------------
# The JSON format: one description of every record, used both ways
# --------------------------------------------------------------------------------------


class ImportRefused(WorkshopError):
    """A file that cannot be imported; nothing was written."""


def _damaged(where: str) -> ImportRefused:
    return ImportRefused(
        _(
            "The file is damaged or incomplete (at %(where)s). Nothing was imported.",
            where=where,
        ),
        code="damaged",
    )


def _out_of_range(where: str, bounds: tuple[date, date]) -> ImportRefused:
    return ImportRefused(
        _(
            "The file has a date outside the years %(first)s–%(last)s (at %(where)s), so it "
            "cannot be right. Nothing was imported.",
            first=bounds[0].year,
            last=bounds[1].year,
            where=where,
        ),
        code="date",
    )


_MISSING = object()


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the app stores them in UTC."""
    return as_utc(moment)


@dataclass(frozen=True)
class Text:
    name: str
    limit: int
    choices: Any = None  # a vocabulary dict or tuple; "" is allowed when blank_ok
    required: bool = False  # not blank
    blank_ok: bool = True

    def dump(self, value):
        return value

    def load(self, value, where: str):
        # NUL is a sign of a damaged file; everything else is tidied as a form would be.
        if not isinstance(value, str) or "\x00" in value:
            raise _damaged(where)
        value = tidy(value)
        if len(value) > self.limit or (self.required and not value):
            raise _damaged(where)
        blank_allowed = value == "" and self.blank_ok
        if self.choices is not None and value not in self.choices and not blank_allowed:
            raise _damaged(where)
        return value


@dataclass(frozen=True)
class Integer:
    name: str
    low: int
    high: int
    nullable: bool = False

    def dump(self, value):
        return value

    def load(self, value, where: str):
        if value is None and self.nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _damaged(where)
        if not self.low <= value <= self.high:
            raise _damaged(where)
        return value


@dataclass(frozen=True)
class Boolean:
    name: str

    def dump(self, value):
        return bool(value)

    def load(self, value, where: str):
        if not isinstance(value, bool):
            raise _damaged(where)
        return value


@dataclass(frozen=True)
class Number:
    name: str

    def dump(self, value):
        return value

    def load(self, value, where: str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _damaged(where)
        value = float(value)
        if math.isnan(value) or math.isinf(value) or abs(value) >= VALUE_LIMIT:
            raise _damaged(where)
        return value


@dataclass(frozen=True)
class Day:
    name: str
    nullable: bool = False

    def dump(self, value):
        return value.isoformat() if value is not None else None

    def load(self, value, where: str):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or len(value) != 10:
            raise _damaged(where)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _damaged(where) from None
        if not DAY_RANGE[0] <= day <= DAY_RANGE[1]:
            raise _out_of_range(where, DAY_RANGE)
        return day


@dataclass(frozen=True)
class Moment:
    """A timestamp, written in UTC with its offset: 2026-11-23T14:38:26.178473+00:00."""

    name: str
    nullable: bool = False

    def dump(self, value):
        return _as_utc(value).isoformat() if value is not None else None

    def load(self, value, where: str):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or len(value) > 40:
            raise _damaged(where)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _damaged(where) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # Compared before any conversion: 0001-01-01T00:00+01:00 has no UTC time at all.
        if not MOMENT_RANGE[0] <= moment <= MOMENT_RANGE[1]:
            raise _out_of_range(where, MOMENT_RANGE)
        return moment.astimezone(UTC)


@dataclass(frozen=True)
class Structure:
    """A JSON column (barriers, a catalogue entry's changes and sources, a snapshot)."""

    name: str
    check: Callable[[Any], bool]

    def dump(self, value):
        return value

    def load(self, value, where: str):
        try:
            value = _tidy_strings(value)
        except RecursionError:  # nested deeper than any column of ours
            raise _damaged(where) from None
        if not self.check(value):
            raise _damaged(where)
        return value


def _tidy_strings(value):
    """A JSON column's strings tidied, at any depth (a snapshot's name and description)."""
    if isinstance(value, str):
        return tidy(value)
    if isinstance(value, list):
        return [_tidy_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _tidy_strings(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Ref:
    """A reference to another record of the file by its number there (None allowed if nullable)."""

    name: str
    table: str
    nullable: bool = False
    attribute: str = ""  # the model's column, e.g. participant_id


def _is_changes(value) -> bool:
    """A catalogue entry's changes: {"date", "effect", "text"} strings, as the catalogue has."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and all(isinstance(v, str) and len(v) <= 2000 for v in item.values())
        for item in value
    )


def _is_sources(value) -> bool:
    """Sources are web addresses: nothing a link could run (no javascript: and the like)."""
    return isinstance(value, list) and all(
        isinstance(item, str) and item.startswith(("https://", "http://")) and len(item) <= 500
        for item in value
    )


def _is_barriers(value) -> bool:
    if not isinstance(value, dict):
        return False
    for kind, entry in value.items():
        if kind not in BARRIERS or not isinstance(entry, dict):
            return False
        note = entry.get("note", "")
        if not isinstance(note, str) or len(note) > ACTION_NOTE_MAX:
            return False
        if not isinstance(entry.get("checked", True), bool):
            return False
    return True


COURSE = (
    Text("title", 200, required=True),
    Text("municipality", 120, required=True),
    Text("unit", 120),
    Text("purpose", LONG_TEXT),
    Text("core_task", LONG_TEXT),
    Text("frame_can_change", LONG_TEXT),
    Text("frame_cannot_change", LONG_TEXT),
    Text("dialogue_questions", LONG_TEXT),
    Text("reflection_questions", LONG_TEXT),
    Integer("dot_budget", 1, 50),
    Boolean("multiple_dots_per_card"),
    Integer("min_group_size", 1, 50),
    Boolean("joining_open"),
    Integer("current_step", 1, 6),
    Text("voting_state", 16, choices=VOTING_STATES, blank_ok=False),
    Text("solution_voting_state", 16, choices=VOTING_STATES, blank_ok=False),
    Moment("created_at"),
)
PARTICIPANT = (
    Text("role", 32, choices=ROLES, blank_ok=False),
    Text("unit", 120),
    Text("name", 120),
    Moment("created_at"),
)
ANSWER = (
    Ref("participant", "participants", attribute="participant_id"),
    Integer("step", 1, 6),
    Text("question", LONG_TEXT),
    Text("text", ANSWER_MAX_LENGTH, required=True),
    Boolean("hidden"),
    Moment("created_at"),
)
REQUIREMENT = (
    Text("key", 20, required=True),
    Text("kind", 8, choices=("law", "local"), blank_ok=False),
    Text("act", 20),
    Text("paragraph", 200),
    Text("sections", 400),
    Text("target_groups", 100),
    Text("name_da", LOCAL_NAME_MAX, required=True),
    Text("name_en", 300),
    Text("description", LONG_TEXT),
    Text("law_version", 300),
    Text("status", 16, choices=REQUIREMENT_STATUSES, blank_ok=False),
    Structure("changes", _is_changes),
    Text("confidence", 16, choices=CONFIDENCE, blank_ok=False),
    Structure("sources", _is_sources),
    Text("note", LONG_TEXT),
    Text("local_kind", 32, choices=LOCAL_RULE_KINDS),
    Text("decided_by", 200),
    Day("decided_on", nullable=True),
    Integer("version", 1, 1_000_000),
    Text("content_hash", 64),
    Moment("updated_at"),
)
REQUIREMENT_VERSION = (
    Integer("version", 1, 1_000_000),
    Structure("snapshot", lambda value: isinstance(value, dict)),
    Moment("created_at"),
)
CARD = (
    Ref("participant", "participants", nullable=True, attribute="participant_id"),
    Text("text", CARD_MAX_LENGTH, required=True),
    Text("original_text", CARD_MAX_LENGTH),
    Text("category", 32, choices=CARD_CATEGORIES),
    Boolean("hidden"),
    Ref("merged_into", "cards", nullable=True, attribute="merged_into_id"),
    Moment("created_at"),
    Text("origin", 32, choices=ORIGINS, blank_ok=False),
    Text("problem", EXAMINE_TEXT_MAX),
    Text("stakeholders", EXAMINE_TEXT_MAX),
    Text("priority", 16, choices=PRIORITY_STATUSES, blank_ok=False),
    Text("later_when", 200),
    Text("out_of_scope_reason", EXAMINE_TEXT_MAX),
)
LINK = (
    Text("requirement", 20, required=True),  # the entry's key in the file's catalogue
    Integer("version", 1, 1_000_000),
    Text("law_version", 300),
    Moment("linked_at"),
)
SOLUTION = (
    Ref("card", "cards", attribute="card_id"),
    Ref("participant", "participants", nullable=True, attribute="participant_id"),
    Text("text", SOLUTION_MAX_LENGTH, required=True),
    Text("original_text", SOLUTION_MAX_LENGTH),
    Text("kind", 16, choices=SOLUTION_KINDS, blank_ok=False),
    Integer("effect_citizens", -2, 2, nullable=True),
    Integer("effect_efficiency", -2, 2, nullable=True),
    Integer("effect_work_environment", -2, 2, nullable=True),
    Text("likelihood", 16, choices=LIKELIHOOD),
    Text("evidence", EVIDENCE_MAX),
    Text("effort", 16, choices=EFFORT),
    Boolean("hidden"),
    Boolean("chosen"),
    Text("decided_by", 200),
    Moment("chosen_at", nullable=True),
    Moment("created_at"),
)
# Version 1's votes: each participant's dots on each item. Read, never written any more.
VOTE = (
    Ref("participant", "participants", attribute="participant_id"),
    Ref("card", "cards", nullable=True, attribute="card_id"),
    Ref("solution", "solutions", nullable=True, attribute="solution_id"),
    Integer("dots", 1, 50),
)
ACTION = (
    Ref("solution", "solutions", nullable=True, attribute="solution_id"),
    Text("title", TITLE_MAX, required=True),
    Ref("owner", "participants", nullable=True, attribute="owner_id"),
    Text("owner_name", 120),
    Text("who_does_what", ACTION_TEXT_MAX),
    Day("start_date", nullable=True),
    Text("first_step", ACTION_TEXT_MAX),
    Text("pilot_unit", 200),
    Day("pilot_from", nullable=True),
    Day("pilot_to", nullable=True),
    Structure("barriers", _is_barriers),
    Text("communication", ACTION_TEXT_MAX),
    Text("success_signs", ACTION_TEXT_MAX),
    Text("watched_by", 200),
    Text("status", 16, choices=ACTION_STATUSES, blank_ok=False),
    Text("dropped_reason", ACTION_NOTE_MAX),
    Moment("created_at"),
    Moment("updated_at"),
)
ACTION_UPDATE = (
    Text("status", 16, choices=ACTION_STATUSES, blank_ok=False),
    Text("note", ACTION_NOTE_MAX),
    Ref("participant", "participants", nullable=True, attribute="participant_id"),
    Moment("created_at"),
)
MEASURE = (
    Text("what", 300, required=True),
    Text("unit", 60, required=True),
    Boolean("higher_is_better"),
    Day("baseline_from"),
    Day("baseline_to"),
    Day("followup_from"),
    Day("followup_to"),
    Boolean("baseline_closed"),
    Boolean("followup_closed"),
    Moment("created_at"),
)
ENTRY = (
    Ref("participant", "participants", nullable=True, attribute="participant_id"),
    Day("entry_date"),
    Number("value"),
    Text("note", ENTRY_NOTE_MAX),
    Moment("created_at"),
)
LESSON = (
    Text("kind", 20, choices=LESSON_KINDS, blank_ok=False),
    Text("text", LESSON_MAX, required=True),
    Text("next_step_kind", 32, choices=NEXT_STEP_KINDS),
    Text("responsible", 200),
    Day("due", nullable=True),
    Ref("card", "cards", nullable=True, attribute="card_id"),
    Moment("created_at"),
)

# The feedback to the state: one per card. Its measure (optional) is named by the action's
# number in the file and the measure's place in that action's list (measures have no
# numbers of their own in the file). Files from before it existed have no such list.
STATE_FEEDBACK = (
    Ref("card", "cards", attribute="card_id"),
    Text("cost", FEEDBACK_TEXT_MAX),
    Text("proposal", FEEDBACK_TEXT_MAX),
    Text("trial", 20, choices=TRIAL_OPTIONS, blank_ok=False),
    Text("trial_note", FEEDBACK_TEXT_MAX),
    Moment("created_at"),
    Moment("updated_at"),
)


def _is_measure_place(value) -> bool:
    return value is None or (
        isinstance(value, dict)
        and set(value) == {"action", "measure"}
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values())
    )


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------


def _app_name() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"samskabt {version('samskabt')}"
    except PackageNotFoundError:
        return "samskabt"


def _dump(obj, spec, numbers: dict[str, dict[int, int]]) -> dict:
    """One record as the file has it; references become the file's own numbers."""
    record = {}
    for item in spec:
        if isinstance(item, Ref):
            target = getattr(obj, item.attribute)
            record[item.name] = numbers[item.table].get(target) if target is not None else None
        else:
            record[item.name] = item.dump(getattr(obj, item.name))
    return record


def _by_id(model, *where) -> list:
    return list(db.session.scalars(select(model).where(*where).order_by(model.id)))


def export_course(course: Course) -> dict:
    """Everything about one course, ready for json.dumps (see the module docstring)."""
    participants = _by_id(Participant, Participant.course_id == course.id)
    answers = _by_id(DialogueAnswer, DialogueAnswer.course_id == course.id)
    cards = _by_id(Card, Card.course_id == course.id)
    solutions = _by_id(Solution, Solution.course_id == course.id)
    actions = _by_id(Action, Action.course_id == course.id)
    lessons = _by_id(Lesson, Lesson.course_id == course.id)
    numbers = {
        "participants": {p.id: n for n, p in enumerate(participants, 1)},
        "cards": {c.id: n for n, c in enumerate(cards, 1)},
        "solutions": {s.id: n for n, s in enumerate(solutions, 1)},
    }
    card_ids = [card.id for card in cards]
    links = _by_id(CardRequirement, CardRequirement.card_id.in_(card_ids)) if card_ids else []
    links_of: dict[int, list[CardRequirement]] = {}
    for link in links:
        links_of.setdefault(link.card_id, []).append(link)
    requirements = _by_id(Requirement, Requirement.id.in_({link.requirement_id for link in links}))

    def numbered(objs, spec) -> list[dict]:
        return [{"id": n, **_dump(obj, spec, numbers)} for n, obj in enumerate(objs, 1)]

    def card_record(n: int, card: Card) -> dict:
        record = {"id": n, **_dump(card, CARD, numbers)}
        record["links"] = [
            {**_dump(link, LINK[1:], numbers), "requirement": link.requirement.key}
            for link in links_of.get(card.id, [])
        ]
        return record

    def action_record(n: int, action: Action) -> dict:
        record = {"id": n, **_dump(action, ACTION, numbers)}
        record["updates"] = [
            _dump(update, ACTION_UPDATE, numbers)
            for update in sorted(action.updates, key=lambda u: u.id)
        ]
        record["measures"] = [
            {
                **_dump(measure, MEASURE, numbers),
                "entries": [
                    _dump(entry, ENTRY, numbers)
                    for entry in sorted(measure.entries, key=lambda e: e.id)
                ],
            }
            for measure in sorted(action.measures, key=lambda m: m.id)
        ]
        return record

    measure_places = {
        measure.id: {"action": n, "measure": index}
        for n, action in enumerate(actions, 1)
        for index, measure in enumerate(sorted(action.measures, key=lambda m: m.id))
    }
    feedback = db.session.scalars(
        select(StateFeedback).where(StateFeedback.course_id == course.id).order_by(StateFeedback.id)
    ).all()

    def feedback_record(item: StateFeedback) -> dict:
        return {
            **_dump(item, STATE_FEEDBACK, numbers),
            "measure": measure_places.get(item.measure_id),
        }

    def requirement_record(requirement: Requirement) -> dict:
        record = _dump(requirement, REQUIREMENT, numbers)
        record["versions"] = [
            _dump(version, REQUIREMENT_VERSION, numbers) for version in requirement.versions
        ]
        return record

    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "app": _app_name(),
        "course": _dump(course, COURSE, numbers),
        "participants": numbered(participants, PARTICIPANT),
        "answers": [_dump(answer, ANSWER, numbers) for answer in answers],
        "requirements": [requirement_record(r) for r in requirements],
        "cards": [card_record(n, card) for n, card in enumerate(cards, 1)],
        "solutions": numbered(solutions, SOLUTION),
        "votes": {ballot.name: _revealed_votes(course, ballot, numbers) for ballot in BALLOTS},
        "actions": [action_record(n, action) for n, action in enumerate(actions, 1)],
        "lessons": [_dump(lesson, LESSON, numbers) for lesson in lessons],
        "state_feedback": [feedback_record(item) for item in feedback],
    }


# --------------------------------------------------------------------------------------
# Votes: anonymous towards everyone, the facilitator who downloads the file included
# --------------------------------------------------------------------------------------

BALLOTS = (CARDS, SOLUTIONS)
_ITEM_REF = {"cards": ("card", "cards"), "solutions": ("solution", "solutions")}


def _revealed_votes(course: Course, ballot: Ballot, numbers) -> dict | None:
    """The vote as the screen shows it once revealed, and nothing before: the dots per item
    and how many voted, the split by role only where `votes.results` shows it (every group
    that voted at least the course's minimum). Never whose dots they were: no participant,
    no pseudonym, no per-voter pattern that a role or a small room could point back to."""
    revealed = results(course, ballot)
    if revealed is None:
        return None  # hidden means hidden: not even per-item counts before the reveal
    split = any(group.shown for group in revealed.groups)
    ref, table = _ITEM_REF[ballot.name]
    items = []
    for row in revealed.rows:
        if row.total:
            item = {ref: numbers[table][row.item.id], "dots": row.total}
            if split:
                item["by_group"] = {key: row.by_group.get(key, 0) for key in ROLE_GROUPS}
            items.append(item)
    return {
        "voters": sum(group.voters for group in revealed.groups),
        "voters_by_group": {g.key: g.voters for g in revealed.groups} if split else None,
        "items": items,
    }


def _check_revealed_votes(data: dict, course: dict, participants: list[dict], numbers) -> dict:
    """Version 2's votes: each ballot's revealed result, or None. Returns ballot name ->
    the checked result (references still the file's numbers)."""
    raw = data.get("votes", _MISSING)
    if not isinstance(raw, dict) or set(raw) != {ballot.name for ballot in BALLOTS}:
        raise _damaged("votes")
    people = Counter(role_group(person["role"]) for person in participants)
    checked = {}
    for ballot in BALLOTS:
        where = f"votes.{ballot.name}"
        value = raw[ballot.name]
        if value is None:
            continue
        if course[ballot.state_field] != "revealed" or not isinstance(value, dict):
            raise _damaged(where)  # a result that was never shown
        ref, table = _ITEM_REF[ballot.name]
        voters = _count(value.get("voters"), f"{where}.voters", len(participants))
        by_group = value.get("voters_by_group", _MISSING)
        if by_group is not None:
            if not isinstance(by_group, dict) or set(by_group) != set(ROLE_GROUPS):
                raise _damaged(f"{where}.voters_by_group")
            by_group = {
                key: _count(n, f"{where}.voters_by_group.{key}", people[key])
                for key, n in by_group.items()
            }
            if sum(by_group.values()) != voters:
                raise _damaged(f"{where}.voters_by_group")
        items_raw = value.get("items")
        if not isinstance(items_raw, list):
            raise _damaged(f"{where}.items")
        items, seen = [], set()
        for index, item in enumerate(items_raw):
            place = f"{where}.items[{index}]"
            if not isinstance(item, dict) or set(item) - {ref, "dots", "by_group"}:
                raise _damaged(place)
            number = item.get(ref)
            if (
                isinstance(number, bool)
                or not isinstance(number, int)
                or number not in numbers[table]
                or number in seen
            ):
                raise _damaged(f"{place}.{ref}")
            seen.add(number)
            dots = _count(item.get("dots"), f"{place}.dots", 50 * len(participants), low=1)
            split = item.get("by_group")
            if (split is None) != (by_group is None):
                raise _damaged(f"{place}.by_group")
            if split is not None:
                if not isinstance(split, dict) or set(split) != set(ROLE_GROUPS):
                    raise _damaged(f"{place}.by_group")
                split = {k: _count(n, f"{place}.by_group.{k}", dots) for k, n in split.items()}
                if sum(split.values()) != dots:
                    raise _damaged(f"{place}.by_group")
            items.append({"item": number, "dots": dots, "by_group": split})
        checked[ballot.name] = {"voters": voters, "voters_by_group": by_group, "items": items}
    return checked


def _count(value, where: str, high: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _damaged(where)
    return value


def _spread(items: list[tuple[int, int]], voters: list[int], budget: int, one_each: bool):
    """Dots per item handed out to `voters` within the dot rules: (voter, item, dots) rows,
    or None if they cannot be. Every voter gets a dot before anyone gets two.

    Which imported participant gets which dots is made up: the file does not say, and
    nobody can see it (votes are anonymous everywhere). Totals, the split by role and the
    count of voters come out as in the file; nobody exceeds the budget."""
    total = sum(dots for _item, dots in items)
    if not total:
        return []
    if total > budget * len(voters):
        return None  # checked first: a hostile file cannot make the loops below long
    if not one_each:
        # Even shares, poured item after item: a few rows per voter.
        shares = [total // len(voters) + (n < total % len(voters)) for n in range(len(voters))]
        rows, place = [], 0
        for item, dots in items:
            while dots:
                if not shares[place]:
                    place += 1
                    continue
                given = min(dots, shares[place])
                rows.append((voters[place], item, given))
                shares[place] -= given
                dots -= given
        return rows
    # One dot per item each: the biggest items first, each dot to a voter with most left.
    left = [(-budget, place, voter) for place, voter in enumerate(voters)]
    heapq.heapify(left)
    rows = []
    for item, dots in sorted(items, key=lambda pair: -pair[1]):
        if dots > len(left):
            return None
        chosen = [heapq.heappop(left) for _ in range(dots)]
        if any(-still < 1 for still, _place, _voter in chosen):
            return None
        for still, place, voter in chosen:
            rows.append((voter, item, 1))
            heapq.heappush(left, (still + 1, place, voter))
    return rows


def _voters_for(result: dict, participants: list[dict], min_group: int) -> dict[str, list[int]]:
    """Which of the file's participants stand in for each role group's voters."""
    members = {key: [] for key in ROLE_GROUPS}
    for person in participants:
        members[role_group(person["role"])].append(person["id"])
    wanted = result["voters_by_group"]
    if wanted is None:
        wanted = _held_back_sizes(
            result["voters"], {k: len(v) for k, v in members.items()}, min_group
        )
    return {key: members[key][: wanted.get(key, 0)] for key in ROLE_GROUPS}


def _held_back_sizes(voters: int, available: dict[str, int], min_group: int) -> dict[str, int]:
    """Voters per group for a result whose split was held back: some group that voted
    stays under the minimum, so the imported result holds the split back too."""
    for small in reversed(list(ROLE_GROUPS)):  # managers first: usually the few
        for size in range(min(min_group - 1, available[small], voters), 0, -1):
            sizes, rest = {small: size}, voters - size
            for key in ROLE_GROUPS:
                if key != small:
                    sizes[key] = min(rest, available[key])
                    rest -= sizes[key]
            if rest == 0:
                return sizes
    sizes, rest = {}, voters  # no mix holds it back (cannot happen with the file's own people)
    for key in ROLE_GROUPS:
        sizes[key] = min(rest, available[key])
        rest -= sizes[key]
    return sizes


def _votes_from_results(plan: _Plan) -> list[dict]:
    """Version 2's results as vote records like version 1's (file numbers), or damaged."""
    records = []
    budget, one_each = plan.course["dot_budget"], not plan.course["multiple_dots_per_card"]
    for ballot in BALLOTS:
        result = plan.revealed.get(ballot.name)
        if result is None:
            continue
        voters = _voters_for(result, plan.participants, plan.course["min_group_size"])
        if result["voters_by_group"] is None:
            # The few first (managers, see _held_back_sizes): each voter gets a dot before
            # anyone gets two, so the group that held the split back keeps its voters.
            pool = [voter for key in reversed(ROLE_GROUPS) for voter in voters[key]]
            pools = [([(i["item"], i["dots"]) for i in result["items"]], pool)]
        else:
            pools = [
                (
                    [
                        (i["item"], i["by_group"][key])
                        for i in result["items"]
                        if i["by_group"][key]
                    ],
                    voters[key],
                )
                for key in ROLE_GROUPS
            ]
        for items, people in pools:
            rows = _spread(items, people, budget, one_each)
            if rows is None:
                raise _damaged(f"votes.{ballot.name}")
            ref = _ITEM_REF[ballot.name][0]
            for voter, item, dots in rows:
                records.append(
                    {"participant": voter, "card": None, "solution": None, ref: item, "dots": dots}
                )
    return records


def export_course_json(course: Course) -> bytes:
    return json.dumps(export_course(course), ensure_ascii=False, indent=1).encode("utf-8")


# --------------------------------------------------------------------------------------
# Import: read and check everything, then write it in one transaction
# --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    course: Course
    catalogue_added: int = 0  # catalogue entries this database did not have
    versions_added: int = 0  # historical versions added to entries it had
    renamed: list[tuple[str, str]] = field(default_factory=list)  # local rules: file -> here
    notes: list[str] = field(default_factory=list)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


def read_course_file(raw: bytes | str | dict) -> dict:
    """The file parsed, and checked to be a course export in a format this code reads."""
    if isinstance(raw, bytes):
        if len(raw) > IMPORT_MAX_BYTES:
            raise ImportRefused(
                _("The file is larger than %(mb)s MB.", mb=IMPORT_MAX_BYTES // (1024 * 1024)),
                code="size",
            )
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(
                _("The file is not a Samskabt course export (it is not UTF-8 text)."),
                code="format",
            ) from None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            raise ImportRefused(
                _(
                    "The file is not valid JSON, so it may be damaged (%(error)s). "
                    "Nothing was imported.",
                    error=str(error)[:200],
                ),
                code="json",
            ) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise ImportRefused(
            _("The file is not a Samskabt course export. Nothing was imported."), code="format"
        )
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _damaged("version")
    if version > FORMAT_VERSION:
        raise ImportRefused(
            _(
                "The file comes from a newer version of Samskabt (format %(version)s; this "
                "server reads format %(supported)s). Update this server, then import again. "
                "Nothing was imported.",
                version=version,
                supported=FORMAT_VERSION,
            ),
            code="newer",
        )
    return raw


@dataclass
class _Plan:
    """The file's contents, every value checked; references still the file's numbers."""

    course: dict
    participants: list[dict]
    answers: list[dict]
    requirements: list[dict]
    cards: list[dict]
    solutions: list[dict]
    votes: list[dict]
    actions: list[dict]
    lessons: list[dict]
    state_feedback: list[dict] = field(default_factory=list)
    revealed: dict = field(default_factory=dict)  # version 2: ballot name -> its result


def _field(record: dict, item, where: str, numbers: dict[str, set[int]]):
    value = record.get(item.name, _MISSING)
    place = f"{where}.{item.name}"
    if value is _MISSING:
        raise _damaged(place)
    if isinstance(item, Ref):
        if value is None and item.nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _damaged(place)
        if value not in numbers[item.table]:
            raise _damaged(place)  # a dangling reference
        return value
    return item.load(value, place)


def _record(record, spec, where: str, numbers: dict[str, set[int]]) -> dict:
    if not isinstance(record, dict):
        raise _damaged(where)
    return {item.name: _field(record, item, where, numbers) for item in spec}


def _list(data: dict, name: str, where: str = "") -> list:
    value = data.get(name, _MISSING)
    if not isinstance(value, list):
        raise _damaged(f"{where}{name}")
    return value


def _numbers(items: list, name: str) -> set[int]:
    """The file's numbers for one kind of record: unique whole numbers."""
    seen: set[int] = set()
    for index, item in enumerate(items):
        number = item.get("id") if isinstance(item, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) or number in seen:
            raise _damaged(f"{name}[{index}].id")
        seen.add(number)
    return seen


def check_course_file(data: dict) -> _Plan:
    """Every record checked: types, lengths, vocabularies, references. Writes nothing."""
    participants_raw = _list(data, "participants")
    cards_raw = _list(data, "cards")
    solutions_raw = _list(data, "solutions")
    numbers = {
        "participants": _numbers(participants_raw, "participants"),
        "cards": _numbers(cards_raw, "cards"),
        "solutions": _numbers(solutions_raw, "solutions"),
    }

    def each(name: str, raw: list, spec) -> list[dict]:
        checked = []
        for index, record in enumerate(raw):
            where = f"{name}[{index}]"
            item = _record(record, spec, where, numbers)
            if "id" in record:
                item["id"] = record["id"]
            checked.append(item)
        return checked

    course = _record(data.get("course"), COURSE, "course", numbers)
    participants = each("participants", participants_raw, PARTICIPANT)
    answers = each("answers", _list(data, "answers"), ANSWER)
    requirements = _check_requirements(_list(data, "requirements"), numbers)
    versions_of = {r["key"]: {v["version"] for v in r["versions"]} for r in requirements}

    cards = each("cards", cards_raw, CARD)
    merged_into = {card["id"]: card["merged_into"] for card in cards}
    for index, (card, raw) in enumerate(zip(cards, cards_raw, strict=True)):
        target = card["merged_into"]
        # The app keeps merges flat: a card is merged into a card that is not merged itself.
        if target is not None and (target == card["id"] or merged_into[target] is not None):
            raise _damaged(f"cards[{index}].merged_into")
        card["links"] = []
        for number, link in enumerate(_list(raw, "links", f"cards[{index}].")):
            where = f"cards[{index}].links[{number}]"
            link = _record(link, LINK, where, numbers)
            if link["version"] not in versions_of.get(link["requirement"], ()):
                raise _damaged(f"{where}.requirement")
            if any(other["requirement"] == link["requirement"] for other in card["links"]):
                raise _damaged(f"{where}.requirement")
            card["links"].append(link)

    solutions = each("solutions", solutions_raw, SOLUTION)
    revealed = {}
    if data.get("version", 1) >= 2:
        revealed = _check_revealed_votes(data, course, participants, numbers)
        votes = []
    else:
        votes = each("votes", _list(data, "votes"), VOTE)
    seen_votes = set()
    for index, vote in enumerate(votes):
        if (vote["card"] is None) == (vote["solution"] is None):
            raise _damaged(f"votes[{index}]")
        key = (vote["participant"], vote["card"], vote["solution"])
        if key in seen_votes:
            raise _damaged(f"votes[{index}]")
        seen_votes.add(key)

    actions_raw = _list(data, "actions")
    actions = each("actions", actions_raw, ACTION)
    chosen = set()
    for index, (action, raw) in enumerate(zip(actions, actions_raw, strict=True)):
        if action["solution"] is not None:
            if action["solution"] in chosen:
                raise _damaged(f"actions[{index}].solution")
            chosen.add(action["solution"])
        pilot_from, pilot_to = action["pilot_from"], action["pilot_to"]
        if pilot_from and pilot_to and pilot_to < pilot_from:
            raise _damaged(f"actions[{index}].pilot_to")
        where = f"actions[{index}]."
        action["updates"] = [
            _record(update, ACTION_UPDATE, f"{where}updates[{n}]", numbers)
            for n, update in enumerate(_list(raw, "updates", where))
        ]
        action["measures"] = []
        for n, measure_raw in enumerate(_list(raw, "measures", where)):
            place = f"{where}measures[{n}]"
            measure = _record(measure_raw, MEASURE, place, numbers)
            if (
                measure["baseline_to"] < measure["baseline_from"]
                or measure["followup_to"] < measure["followup_from"]
            ):
                raise _damaged(f"{place}.followup_to")
            measure["entries"] = [
                _record(entry, ENTRY, f"{place}.entries[{e}]", numbers)
                for e, entry in enumerate(_list(measure_raw, "entries", f"{place}."))
            ]
            action["measures"].append(measure)

    lessons = each("lessons", _list(data, "lessons"), LESSON)
    feedback = _check_state_feedback(data, actions, numbers)
    plan = _Plan(
        course,
        participants,
        answers,
        requirements,
        cards,
        solutions,
        votes,
        actions,
        lessons,
        feedback,
        revealed,
    )
    if revealed:
        plan.votes = _votes_from_results(plan)
    return plan


def _check_state_feedback(data: dict, actions: list[dict], numbers) -> list[dict]:
    """One per card, each measure it names in the file; an older file has none."""
    if "state_feedback" not in data:
        return []
    measures_of = {action["id"]: len(action["measures"]) for action in actions}
    checked, cards = [], set()
    for index, raw in enumerate(_list(data, "state_feedback")):
        where = f"state_feedback[{index}]"
        item = _record(raw, STATE_FEEDBACK, where, numbers)
        if item["card"] in cards:
            raise _damaged(f"{where}.card")
        cards.add(item["card"])
        place = raw.get("measure", _MISSING)
        if place is _MISSING or not _is_measure_place(place):
            raise _damaged(f"{where}.measure")
        if place is not None and not 0 <= place["measure"] < measures_of.get(place["action"], 0):
            raise _damaged(f"{where}.measure")
        item["measure"] = place
        checked.append(item)
    return checked


def _check_requirements(raw: list, numbers) -> list[dict]:
    checked = []
    keys = set()
    for index, record in enumerate(raw):
        where = f"requirements[{index}]"
        requirement = _record(record, REQUIREMENT, where, numbers)
        key = requirement["key"]
        if key in keys:
            raise _damaged(f"{where}.key")
        keys.add(key)
        # Keys like L12 belong to local rules; the law's never look like that.
        if (requirement["kind"] == "law") == bool(_LOCAL_KEY.fullmatch(key)):
            raise _damaged(f"{where}.key")
        if requirement["kind"] == "local" and len(requirement["description"]) > LOCAL_TEXT_MAX:
            raise _damaged(f"{where}.description")
        versions = [
            _record(version, REQUIREMENT_VERSION, f"{where}.versions[{n}]", numbers)
            for n, version in enumerate(_list(record, "versions", f"{where}."))
        ]
        numbers_seen = [version["version"] for version in versions]
        # Every entry keeps a row for its current version, and none beyond it.
        if (
            len(set(numbers_seen)) != len(numbers_seen)
            or requirement["version"] not in numbers_seen
            or max(numbers_seen) != requirement["version"]
        ):
            raise _damaged(f"{where}.versions")
        requirement["versions"] = sorted(versions, key=lambda v: v["version"])
        checked.append(requirement)
    return checked


def import_on_this_server(raw: bytes | str | dict, facilitator: Facilitator) -> ImportResult:
    """`import_course`, loading the shipped law catalogue first on a new server that has
    none yet (a refused file still writes nothing: the catalogue is loaded only when the
    file itself was fine and merely linked to law this server had not loaded)."""
    try:
        return import_course(raw, facilitator)
    except ImportRefused as refused:
        if refused.code != "catalogue" or has_law_catalogue():
            raise
    ensure_catalogue_loaded()
    return import_course(raw, facilitator)


def import_course(raw: bytes | str | dict, facilitator: Facilitator) -> ImportResult:
    """A faithful copy of an exported course, owned by `facilitator`, with a new join code.

    All or nothing: a refused file (newer format, damaged, invalid) writes nothing.
    """
    plan = check_course_file(read_course_file(raw))
    try:
        result = _write(plan, facilitator)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportRefused(
            _("The file contradicts itself, so it cannot be imported. Nothing was imported."),
            code="conflict",
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    return result


_REQUIREMENT_CONTENT = tuple(
    item.name for item in REQUIREMENT if item.name not in ("key", "kind", "version", "updated_at")
)


def _write(plan: _Plan, facilitator: Facilitator) -> ImportResult:
    course = Course(
        join_code=new_join_code(),
        facilitator_id=facilitator.id,
        organisation_id=facilitator.organisation_id,
        revision=1,
    )
    for name, value in plan.course.items():
        setattr(course, name, value)
    result = ImportResult(course)
    catalogue = _write_catalogue(plan.requirements, facilitator, result)
    db.session.add(course)
    db.session.flush()

    tokens = itertools.count(1)  # form nonces only need to be unique per participant

    def insert(model, records: list[dict], spec, ids: dict[str, dict[int, int]], **extra):
        """Rows in the file's order (so ids keep their order); returns file number -> row."""
        rows = []
        for record in records:
            values = dict(extra)
            for item in spec:
                if isinstance(item, Ref):
                    number = record[item.name]
                    values[item.attribute] = None if number is None else ids[item.table][number]
                else:
                    values[item.name] = record[item.name]
            if hasattr(model, "client_token"):
                values["client_token"] = f"import-{next(tokens)}"
            row = model(**values)
            db.session.add(row)
            rows.append(row)
        db.session.flush()
        return rows

    ids: dict[str, dict[int, int]] = {"participants": {}, "cards": {}, "solutions": {}}
    people = insert(Participant, plan.participants, PARTICIPANT, ids, course_id=course.id)
    ids["participants"] = {
        r["id"]: row.id for r, row in zip(plan.participants, people, strict=True)
    }
    insert(DialogueAnswer, plan.answers, ANSWER, ids, course_id=course.id)

    # Merges point forwards and backwards: cards first, then who was merged into whom.
    card_spec = tuple(item for item in CARD if item.name != "merged_into")
    cards = insert(Card, plan.cards, card_spec, ids, course_id=course.id)
    ids["cards"] = {r["id"]: row.id for r, row in zip(plan.cards, cards, strict=True)}
    for record, card in zip(plan.cards, cards, strict=True):
        if record["merged_into"] is not None:
            card.merged_into_id = ids["cards"][record["merged_into"]]
        for link in record["links"]:
            requirement_id, versions = catalogue[link["requirement"]]
            db.session.add(
                CardRequirement(
                    card_id=card.id,
                    requirement_id=requirement_id,
                    version=versions[link["version"]],
                    law_version=link["law_version"],
                    linked_at=link["linked_at"],
                )
            )
    db.session.flush()

    solutions = insert(Solution, plan.solutions, SOLUTION, ids, course_id=course.id)
    ids["solutions"] = {r["id"]: row.id for r, row in zip(plan.solutions, solutions, strict=True)}
    insert(Vote, plan.votes, VOTE, ids, course_id=course.id)

    actions = insert(Action, plan.actions, ACTION, ids, course_id=course.id)
    for record, action in zip(plan.actions, actions, strict=True):
        insert(ActionUpdate, record["updates"], ACTION_UPDATE, ids, action_id=action.id)
    measure_ids: dict[tuple[int, int], int] = {}
    for record, action in zip(plan.actions, actions, strict=True):
        measures = insert(Measure, record["measures"], MEASURE, ids, action_id=action.id)
        for index, (measure_record, measure) in enumerate(
            zip(record["measures"], measures, strict=True)
        ):
            measure_ids[(record["id"], index)] = measure.id
            insert(MeasureEntry, measure_record["entries"], ENTRY, ids, measure_id=measure.id)
    insert(Lesson, plan.lessons, LESSON, ids, course_id=course.id)
    feedback = insert(StateFeedback, plan.state_feedback, STATE_FEEDBACK, ids, course_id=course.id)
    for record, row in zip(plan.state_feedback, feedback, strict=True):
        place = record["measure"]
        if place is not None:
            row.measure_id = measure_ids[(place["action"], place["measure"])]
    db.session.flush()
    return result


def _write_catalogue(
    requirements: list[dict], facilitator: Facilitator, result: ImportResult
) -> dict[str, tuple[int, dict[int, int]]]:
    """The file's catalogue entries in this database.

    Returns the file's key -> (the entry's id here, the file's version -> the version here).
    Law entries are matched by key. Local rules are the importing facilitator's
    organisation's rule of the same name if it has one, else a new rule with a key of this
    database.
    """
    from workshop.catalogue import local_rules

    found = {}
    own_rules = local_rules(facilitator.id)
    for record in requirements:
        if record["kind"] == "law":
            existing = db.session.scalar(
                select(Requirement).where(Requirement.key == record["key"])
            )
            if existing is not None and existing.kind != "law":
                raise ImportRefused(
                    _(
                        "The catalogue entry %(key)s is a local rule here. Nothing was imported.",
                        key=record["key"],
                    ),
                    code="catalogue",
                )
            if existing is None:
                # The law catalogue is shared by every facilitator: a file never adds to
                # it or changes it. This server loads its own (flask catalogue load).
                raise ImportRefused(
                    _(
                        "The requirement %(key)s is not in this server's catalogue. Load the "
                        "catalogue first, then import again. Nothing was imported.",
                        key=record["key"],
                    ),
                    code="catalogue",
                )
        else:
            name = record["name_da"].casefold()
            existing = next(
                (r for r in own_rules if r.key == record["key"] and r.name_da.casefold() == name),
                None,
            ) or next((r for r in own_rules if r.name_da.casefold() == name), None)
        if existing is None:
            existing = _new_entry(record, facilitator, result)
            versions = {v["version"]: v["version"] for v in record["versions"]}
        else:
            versions = _merge_versions(existing, record, result)
        found[record["key"]] = (existing.id, versions)
    return found


def _snapshot_here(snapshot: dict, key: str) -> dict:
    """A snapshot names its entry's key; a local rule's key may differ in this database."""
    return {**snapshot, "key": key} if "key" in snapshot else snapshot


def _new_entry(record: dict, facilitator: Facilitator, result: ImportResult) -> Requirement:
    local = record["kind"] == "local"
    requirement = Requirement(
        # A local rule's key becomes "L" + its id below; until then a unique placeholder
        # that fits the column (PostgreSQL enforces String(20)).
        key=record["key"] if not local else f"tmp-{secrets.token_hex(8)}",
        kind=record["kind"],
        owner_id=facilitator.id if local else None,
        version=record["version"],
        updated_at=record["updated_at"],
        **{name: record[name] for name in _REQUIREMENT_CONTENT},
    )
    db.session.add(requirement)
    db.session.flush()
    if local:
        # Local keys are "L" + the row's id everywhere (add_local_rule relies on that).
        requirement.key = f"L{requirement.id}"
        if requirement.key != record["key"]:
            result.renamed.append((record["key"], requirement.key))
    for version in record["versions"]:
        db.session.add(
            RequirementVersion(
                requirement_id=requirement.id,
                version=version["version"],
                snapshot=_snapshot_here(version["snapshot"], requirement.key),
                created_at=version["created_at"],
            )
        )
    db.session.flush()
    result.catalogue_added += 1
    return requirement


def _merge_versions(requirement: Requirement, record: dict, result: ImportResult) -> dict[int, int]:
    """Keep this database's entry and give the file's links a version here that says what
    they were linked to. Returns the file's version -> the version here.

    Version numbers count reloads on each server. A text this database knows (under any
    number) is linked to there; an unknown older text is added under its number if that is
    free. Only when the file knows versions newer than this database's current one does
    the entry move forward to the file's current content (rows in between come along).
    """
    mine = {version.version: version.snapshot for version in requirement.versions}
    current = requirement.version
    newest = _snapshot_here(record["versions"][-1]["snapshot"], requirement.key)
    # Only one's own local rule may move forward to the file's text; the shared law
    # catalogue is this server's own and never changes through an import.
    forward = (
        requirement.kind == "local" and record["version"] > current and newest not in mine.values()
    )
    mapping = {}
    for version in record["versions"]:
        number = version["version"]
        snapshot = _snapshot_here(version["snapshot"], requirement.key)
        same_text = [n for n, known in mine.items() if known == snapshot]
        if number > current and forward:
            mapping[number] = number  # added below, when the entry moves forward
        elif mine.get(number) == snapshot:
            mapping[number] = number
        elif same_text:
            mapping[number] = max(same_text)  # the same text under another number here
        elif number not in mine and number < current:
            mapping[number] = number  # a text this database never had: kept as history
            _add_version(requirement, version, snapshot)
            result.versions_added += 1
        else:
            mapping[number] = min(number, current)
            result.notes.append(
                _(
                    "%(key)s version %(version)s reads differently in this database; "
                    "cards linked to it show this database's text.",
                    key=requirement.key,
                    version=number,
                )
            )
    if forward:
        for version in record["versions"]:
            if version["version"] > current:
                snapshot = _snapshot_here(version["snapshot"], requirement.key)
                _add_version(requirement, version, snapshot)
                result.versions_added += 1
        for name in _REQUIREMENT_CONTENT:
            setattr(requirement, name, record[name])
        requirement.version = record["version"]
        requirement.updated_at = record["updated_at"]
        result.notes.append(
            _(
                "%(key)s was brought up to version %(version)s from the file.",
                key=requirement.key,
                version=record["version"],
            )
        )
    db.session.flush()
    return mapping


def _add_version(requirement: Requirement, version: dict, snapshot: dict) -> None:
    requirement.versions.append(
        RequirementVersion(
            version=version["version"], snapshot=snapshot, created_at=version["created_at"]
        )
    )
