"""The course file's schema: what each record of each table holds, and how a value is
checked on its way in.

Each table is a tuple of field kinds (Text, Integer, Boolean, Number, Day, Moment,
Structure, Ref) used both ways: `dump` writes a column's value into the file, `load`
checks and tidies a value read from one, refusing anything else with a Danish message
that says where in the file it was. `LEFT_OUT` names every column of the same models that
the file does not carry, and why (tests/test_exchange.py checks that nothing is missing).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from workshop.catalogue import LOCAL_NAME_MAX
from workshop.core.clock import EARLIEST_DAY, LATEST_DAY, as_utc
from workshop.core.errors import WorkshopError
from workshop.core.text import tidy
from workshop.core.vocabulary import (
    ACTION_STATUSES,
    ANSWER_MAX_LENGTH,
    BARRIERS,
    CARD_CATEGORIES,
    CARD_MAX_LENGTH,
    CARD_SOURCES,
    CONFIDENCE,
    EFFORT,
    LESSON_KINDS,
    LIKELIHOOD,
    LOCAL_RULE_KINDS,
    NEXT_STEP_KINDS,
    ORIGINS,
    PRIORITY_STATUSES,
    REQUIREMENT_STATUSES,
    ROLES,
    SECTORS,
    SOLUTION_KINDS,
    SOLUTION_MAX_LENGTH,
    TOUCHPOINT_KINDS,
    TOUCHPOINT_MAX_LENGTH,
    TOUCHPOINT_MAX_MINUTES,
)
from workshop.departments import NAME_LENGTH as DEPARTMENT_NAME_MAX
from workshop.local_feedback import ASKS, ESTIMATE_MAX_MINUTES, ESTIMATE_PER, ROUTES, SUBJECT_MAX
from workshop.meetings import NOTE_MAX as MEETING_NOTE_MAX
from workshop.meetings import PLACE_MAX as MEETING_PLACE_MAX
from workshop.state_feedback import TEXT_MAX as FEEDBACK_TEXT_MAX
from workshop.state_feedback import TRIAL_OPTIONS
from workshop.votes import CARDS, SOLUTIONS, VOTING_STATES

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
LOCAL_KEY = re.compile(r"L\d+")
# Dates a file may hold. Timestamps record what happened in the app (made in 2026); days
# are plans and decisions (a local rule decided decades ago, a pilot years ahead). Far
# outside, a date is a damaged or a hostile file, and near year 1 or 9999 it could not even
# be shown in Danish time.
MOMENT_RANGE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 59, tzinfo=UTC))
DAY_RANGE = (EARLIEST_DAY, LATEST_DAY)  # as the forms (workshop.web.forms.day_field)


# --------------------------------------------------------------------------------------
# The JSON format: one description of every record, used both ways
# --------------------------------------------------------------------------------------


class ImportRefused(WorkshopError):
    """A file that cannot be imported; nothing was written."""


def damaged(where: str) -> ImportRefused:
    """The refusal for a value that is not what the app writes, saying where it was."""
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


MISSING = object()  # a key the record lacks (None is a value some fields allow)


@dataclass(frozen=True)
class Text:
    name: str
    limit: int
    choices: Any = None  # a vocabulary dict or tuple; "" is allowed when blank_ok
    required: bool = False  # not blank
    blank_ok: bool = True
    # A key files written before it existed lack: what a file without it means.
    when_missing: Callable[[], Any] | None = None

    def dump(self, value):
        return value

    def load(self, value, where: str):
        # NUL is a sign of a damaged file; everything else is tidied as a form would be.
        if not isinstance(value, str) or "\x00" in value:
            raise damaged(where)
        value = tidy(value)
        if len(value) > self.limit or (self.required and not value):
            raise damaged(where)
        blank_allowed = value == "" and self.blank_ok
        if self.choices is not None and value not in self.choices and not blank_allowed:
            raise damaged(where)
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
            raise damaged(where)
        if not self.low <= value <= self.high:
            raise damaged(where)
        return value


@dataclass(frozen=True)
class Boolean:
    name: str
    # A key files written before it existed lack (issue 14's course flags): what a file
    # without it means (`bool`: False), else damaged.
    when_missing: Callable[[], Any] | None = None

    def dump(self, value):
        return bool(value)

    def load(self, value, where: str):
        if not isinstance(value, bool):
            raise damaged(where)
        return value


@dataclass(frozen=True)
class Number:
    name: str

    def dump(self, value):
        return value

    def load(self, value, where: str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise damaged(where)
        value = float(value)
        if math.isnan(value) or math.isinf(value) or abs(value) >= VALUE_LIMIT:
            raise damaged(where)
        return value


@dataclass(frozen=True)
class Day:
    name: str
    nullable: bool = False
    when_missing: Callable[[], Any] | None = None

    def dump(self, value):
        return value.isoformat() if value is not None else None

    def load(self, value, where: str):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or len(value) != 10:
            raise damaged(where)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise damaged(where) from None
        if not DAY_RANGE[0] <= day <= DAY_RANGE[1]:
            raise _out_of_range(where, DAY_RANGE)
        return day


@dataclass(frozen=True)
class Moment:
    """A timestamp, written in UTC with its offset: 2026-11-23T14:38:26.178473+00:00."""

    name: str
    nullable: bool = False
    when_missing: Callable[[], Any] | None = None

    def dump(self, value):
        return as_utc(value).isoformat() if value is not None else None

    def load(self, value, where: str):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or len(value) > 40:
            raise damaged(where)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise damaged(where) from None
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
    # A column added after files were written: what a file without it means (else damaged).
    when_missing: Callable[[], Any] | None = None

    def dump(self, value):
        return value

    def load(self, value, where: str):
        try:
            value = _tidy_strings(value)
        except RecursionError:  # nested deeper than any column of ours
            raise damaged(where) from None
        if not self.check(value):
            raise damaged(where)
        return value


@dataclass(frozen=True)
class DepartmentName:
    """A participant's department by name and sector ({"name", "sector"} or None): the
    importing organisation's department of that name, made if it has none (issue 14)."""

    name: str = "department"
    attribute: str = "department_id"
    # Files written before departments: nobody had one.
    when_missing: Callable[[], Any] | None = lambda: None

    def dump(self, department):
        if department is None:
            return None
        return {"name": department.name, "sector": department.sector}

    def load(self, value, where: str):
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) != {"name", "sector"}:
            raise damaged(where)
        name, sector = value["name"], value["sector"]
        if not isinstance(name, str) or not isinstance(sector, str) or "\x00" in name:
            raise damaged(where)
        name = " ".join(tidy(name).split())
        if not name or len(name) > DEPARTMENT_NAME_MAX or sector not in SECTORS:
            raise damaged(where)
        return {"name": name, "sector": sector}


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


def _is_confidence_notes(value) -> bool:
    """Confidence per fact: [{"fact": text, "confidence": a CONFIDENCE key}]."""
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and set(item) == {"fact", "confidence"}
        and isinstance(item["fact"], str)
        and len(item["fact"]) <= 2000
        and item["confidence"] in CONFIDENCE
        for item in value
    )


def _is_sectors(value) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(item, str) and item in SECTORS for item in value)
        and len(set(value)) == len(value)
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
    Boolean("across_departments", when_missing=bool),
    Boolean("invites_citizens", when_missing=bool),
    Integer("current_step", 1, 6),
    Text("voting_state", 16, choices=VOTING_STATES, blank_ok=False),
    Text("solution_voting_state", 16, choices=VOTING_STATES, blank_ok=False),
    Moment("created_at"),
)
PARTICIPANT = (
    Text("role", 32, choices=ROLES, blank_ok=False),
    Text("unit", 120),
    Text("name", 120),
    DepartmentName(),
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
    # Files written before issue 14 have neither; such an entry had no notes and no sectors.
    Structure("confidence_notes", _is_confidence_notes, when_missing=list),
    Structure("sectors", _is_sectors, when_missing=list),
    Text("local_kind", 32, choices=LOCAL_RULE_KINDS),
    Text("decided_by", 200),
    Day("decided_on", nullable=True),
    # Issue 18: a local rule retired, or repealed by a course (named by its title in
    # words). Files written before have neither: the rule was neither.
    Moment("retired_at", nullable=True, when_missing=lambda: None),
    Day("repealed_on", nullable=True, when_missing=lambda: None),
    Text("repealed_course_title", 200, when_missing=str),
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
    # Issue 18: the day "later" comes back; files written before it have none.
    Day("later_due", nullable=True, when_missing=lambda: None),
    # Issue 18: where it came from, and for a card from the card box or on paper (no
    # participant) its author's role and department. Older files hold phone cards only.
    Text("source", 8, choices=CARD_SOURCES, blank_ok=False, when_missing=lambda: "phone"),
    Text("author_role", 32, choices=ROLES, when_missing=str),
    DepartmentName("author_department", "author_department_id"),
)
# A department a card involves (issue 14), inside the card's record: named by its name and
# sector, since the importing organisation has departments of its own (workshop.exchange.load
# matches them by name). Files from before departments have no such list.
CARD_DEPARTMENT = (
    Text("name", 120, required=True),
    Text("sector", 32, choices=SECTORS, blank_ok=False),
    Boolean("names_origin"),
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

# The feedback beyond the state (issue 18): to the IT vendor or the political committee,
# one per card and route, its measure named as the state's is. Files from before it
# existed have no such list.
CARD_FEEDBACK = (
    Ref("card", "cards", attribute="card_id"),
    Text("route", 16, choices=ROUTES, blank_ok=False),
    Text("subject", SUBJECT_MAX),
    Text("decided_by", SUBJECT_MAX),
    Day("decided_on", nullable=True),
    Text("cost", FEEDBACK_TEXT_MAX),
    Integer("estimate_minutes", 1, ESTIMATE_MAX_MINUTES, nullable=True),
    Text("estimate_per", 8, choices=ESTIMATE_PER),
    Text("ask", 8, choices=ASKS),
    Text("proposal", FEEDBACK_TEXT_MAX),
    Moment("created_at"),
    Moment("updated_at"),
)

# The citizen's path (issue 14): its touchpoints in their order. The department is named
# by its name ("department") and matched to the importing organisation's department of the
# same name; the rule behind it by the entry's key ("requirement"), as links are.
TOUCHPOINT = (
    Ref("participant", "participants", nullable=True, attribute="participant_id"),
    Text("kind", 16, choices=TOUCHPOINT_KINDS, blank_ok=False),
    Text("text", TOUCHPOINT_MAX_LENGTH, required=True),
    Text("place", 120),
    Integer("citizen_minutes", 0, TOUCHPOINT_MAX_MINUTES, nullable=True),
    Integer("staff_minutes", 0, TOUCHPOINT_MAX_MINUTES, nullable=True),
    Integer("position", 0, 1_000_000),
    Boolean("hidden"),
    Ref("merged_into", "touchpoints", nullable=True, attribute="merged_into_id"),
    Ref("card", "cards", nullable=True, attribute="card_id"),
    Moment("created_at"),
)
TOUCHPOINT_NAMES = (Text("department", 120), Text("requirement", 20))


def _is_steps(value) -> bool:
    """A meeting's steps: step numbers of the method, each once, in order."""
    return (
        isinstance(value, list)
        and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 6 for n in value)
        and value == sorted(set(value))
    )


# The course's meetings (issue 18), the earliest first; files from before have none.
MEETING = (
    Moment("starts_at"),
    Moment("ends_at"),
    Text("place", MEETING_PLACE_MAX),
    Structure("steps", _is_steps),
    Text("note", MEETING_NOTE_MAX),
    Moment("created_at"),
    Moment("updated_at"),
)


def is_measure_place(value) -> bool:
    return value is None or (
        isinstance(value, dict)
        and set(value) == {"action", "measure"}
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values())
    )


# --------------------------------------------------------------------------------------
# Votes: anonymous towards everyone, the facilitator who downloads the file included
# --------------------------------------------------------------------------------------

BALLOTS = (CARDS, SOLUTIONS)
# Each ballot's item in a vote record: (the record's key, the file's table it refers to).
ITEM_REF = {"cards": ("card", "cards"), "solutions": ("solution", "solutions")}


# --------------------------------------------------------------------------------------
# What the file leaves out of the tables it covers, and why (a new column must be added
# to a table above or here: tests/test_exchange.py fails on a column in neither).
# --------------------------------------------------------------------------------------

_OWN_ID = "the file numbers its records itself; an import gives new ids"
_PARENT = "the record sits inside its parent in the file; an import sets it"
_NONCE = "a form's one-time nonce, only unique per participant; an import makes new ones"
LEFT_OUT: dict[str, dict[str, str]] = {
    "course": {
        "id": _OWN_ID,
        "facilitator_id": "the importing facilitator owns the copy",
        "organisation_id": "the importing facilitator's organisation owns the copy",
        "join_code": "a copy gets a new join code, unique on this server",
        "projector_join": "the projector's screen during a session, not the course's content",
        "timer_started_at": "the timer is left out (a countdown of the day)",
        "timer_ends_at": "the timer is left out (a countdown of the day)",
        "timer_label": "the timer is left out (a countdown of the day)",
        "revision": "what live views poll against; a copy starts at 1",
        "activity": "what the projector polls against; a copy starts at 0",
        "result_split": "how the facilitator shows results on the day; a copy splits by role "
        "(a department split names the source organisation's departments)",
        "path_open": "whether phones map the citizen's path right now: a session's state",
        "votes_rebuilt": "set by an import that rebuilds the dots from revealed results",
        "path_page": "the page of the path the projector shows: a session's state",
    },
    "participant": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "revision": "what this phone's poll compares; a copy starts afresh",
        "token": "a secret that a phone's cookie names; no phone may name the copy",
        "legacy_cookie": "an old phone's cookie naming the row by id; none names the copy",
        "forgotten_at": "not carried in format 2 (the person's name and texts are emptied already)",
        "email": "a work email left for reminders only: never exported, shared or printed",
        "reminders_stopped_at": "belongs with the email, which is never exported",
    },
    "dialogue_answer": {"id": _OWN_ID, "course_id": _PARENT, "client_token": _NONCE},
    "requirement": {
        "id": _OWN_ID,
        "owner_id": "a local rule belongs to the importing facilitator",
        "repealed_by_course_id": "a course of the exporting server; its title travels in "
        "words (repealed_course_title)",
    },
    "requirement_version": {"id": _OWN_ID, "requirement_id": _PARENT},
    "card": {"id": _OWN_ID, "course_id": _PARENT, "client_token": _NONCE},
    "card_department": {
        "card_id": _PARENT,
        "department_id": "named by the department's name and sector (CARD_DEPARTMENT)",
    },
    "card_requirement": {
        "id": _OWN_ID,
        "card_id": _PARENT,
        "requirement_id": "named by the entry's key (LINK's requirement)",
    },
    "solution": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "client_token": _NONCE,
        "source": "not carried in format 2: a copied solution's origin in words",
        "copied_from_id": "a solution in another course of the exporting server",
        "source_redacted": "about a solution in another course of the exporting server",
    },
    "vote": {"id": _OWN_ID, "course_id": _PARENT},
    "action": {"id": _OWN_ID, "course_id": _PARENT},
    "action_update": {"id": _OWN_ID, "action_id": _PARENT},
    "measure": {"id": _OWN_ID, "action_id": _PARENT},
    "measure_entry": {"id": _OWN_ID, "measure_id": _PARENT, "client_token": _NONCE},
    "lesson": {"id": _OWN_ID, "course_id": _PARENT},
    "state_feedback": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "measure_id": "named by its action's number and its place there (the 'measure' key)",
    },
    "card_feedback": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "measure_id": "named by its action's number and its place there (the 'measure' key)",
    },
    "touchpoint": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "client_token": _NONCE,
        "department_id": "named by the department's name (the 'department' key)",
        "requirement_id": "named by the entry's key (the 'requirement' key)",
    },
    "meeting": {
        "id": _OWN_ID,
        "course_id": _PARENT,
        "uid": "names this server's event in people's calendars; a copy's meetings are new events",
        "sequence": "counts the edits of this server's calendar event; a copy starts afresh",
    },
}
# (The organisation's departments are no part of a course either: a participant's
# department goes by name and sector, DepartmentName above.)
# Tables that refer to one the file carries, but that the file leaves out whole. (The
# audit trail is no part of a course: it keeps its lines after the course is deleted.)
TABLES_LEFT_OUT: dict[str, str] = {
    "manager_link": "its token is a secret that opens the course's status page",
    "share": "the experience bank's anonymised snapshot belongs to this server's bank",
    "shared_challenge": "part of a share (the experience bank's snapshot)",
    "shared_solution": "part of a share (the experience bank's snapshot)",
    "rendered_pdf": "a cache of the PDF, made again when asked for",
    "cleared_votes": "a restarted vote's dots, kept only a minute for an undo",
    "sent_reminder": "which reminder mails this server sent; a copy has sent none",
    "card_box": "its link is a secret that lets anyone add cards; a copy opens a box of its own",
    "requirement_correction": "an organisation's own claim about a law entry belongs to its "
    "catalogue, not to a course: the file carries the shipped entry the cards were linked to",
}
